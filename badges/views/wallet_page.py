"""The learner's "add to my wallet" (ウォレットに追加) on their credential page: a fresh offer as
a QR code and a link for the wallet app. Only the learner signed in to the learner area may
make one; the offer is single-use and audited (badges.wallet.offers)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from badges.models import BadgeRecord
from badges.selectors import record_for_public_id
from badges.views.public import _qr_svg
from badges.wallet import exchanges, offers
from credentials.models import Award
from credentials.selectors import session_learner_id


@never_cache
@require_POST
def credential_wallet(request, public_id):
    try:
        record = record_for_public_id(public_id)
    except BadgeRecord.DoesNotExist as error:
        raise Http404 from error
    award = record.award
    if session_learner_id(request.session) != award.learner_id:
        raise Http404
    if award.status != Award.Status.ISSUED:
        raise Http404
    try:
        hand_out = offers.make_offer(actor=None, award=award, by_learner=True, request=request)
    except offers.OfferError as error:  # its badge is still being signed
        raise Http404 from error
    return render(
        request,
        "badges/wallet_offer.html",
        {
            "award": award,
            "hand_out": hand_out,
            "qr_svg": _qr_svg(hand_out.deep_link),
            "lcw": (links := exchanges.wallet_links(hand_out.offer)),
            "lcw_qr_svg": _qr_svg(links["lcw_deep_link"]),
            "title": award.programme_version.title_in("ja"),
        },
    )
