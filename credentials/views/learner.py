"""The learner area: magic-link sign-in, the learner's awards, page privacy, a ZIP of them all.

Thin views: writes are credentials.services.learner_access, reads credentials.selectors. Badge
URLs are reversed by name and badge files read through the award's reverse relation, because
credentials never imports badges."""

from __future__ import annotations

import hashlib
import math
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credentials.forms import LearnerSignInForm
from credentials.models import Award, Learner, normalise_email
from credentials.selectors import (
    award_status,
    learner_awards,
    own_learner_name,
    session_learner_id,
)
from credentials.services.learner_access import (
    LEARNER_SESSION_KEY,
    redeem_sign_in_token,
    request_sign_in_link,
    set_public_page_visibility,
)
from frameworks.i18n import current_lang, pick
from issuers.authentication import ClientAddressThrottle, LiveRateThrottle

VARIANTS = ("ob3.png", "ob3.svg", "ob2.png", "ob2.svg")

# A page that asked the learner to sign in first (e.g. an app's consent screen) to return to.
AFTER_SIGN_IN = "after_sign_in"


def learner_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        learner_id = session_learner_id(request.session)
        learner = Learner.objects.filter(pk=learner_id).first() if learner_id else None
        if learner is None:
            return redirect("credentials:learner-sign-in")
        request.learner = learner
        return view(request, *args, **kwargs)

    return wrapper


class SignInAddressThrottle(ClientAddressThrottle):
    """Sign-in links per client address (REST_FRAMEWORK's "sign_in_address" rate)."""

    scope = "sign_in_address"


class SignInEmailThrottle(LiveRateThrottle):
    """Sign-in links per e-mail address, known to the portal or not ("sign_in_email" rate).
    The cache key holds a hash of the address, never the address."""

    scope = "sign_in_email"

    def __init__(self, email: str):
        super().__init__()
        self.email = normalise_email(email)

    def get_cache_key(self, request, view):
        digest = hashlib.sha256(self.email.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


def _first_refusal(request, form) -> LiveRateThrottle | None:
    """The first rate limit the request exceeds, counting it against each limit in turn."""
    throttles = [SignInAddressThrottle()]
    if form.is_valid():
        throttles.append(SignInEmailThrottle(form.cleaned_data["email"]))
    return next((t for t in throttles if not t.allow_request(request, None)), None)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request):
    form = LearnerSignInForm(request.POST or None)
    if request.method == "POST":
        refusal = _first_refusal(request, form)
        if refusal is not None:
            wait = max(1, math.ceil(refusal.wait() or 60))
            form.refuse_as_rate_limited(minutes=math.ceil(wait / 60))
            response = render(
                request, "credentials/learner_sign_in.html", {"form": form}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            request_sign_in_link(email=form.cleaned_data["email"], request=request)
            # The same answer whether or not the address is known: no account enumeration.
            return render(request, "credentials/learner_sign_in_sent.html")
    return render(request, "credentials/learner_sign_in.html", {"form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_token(request, token):
    # GET only shows a button: mail scanners that prefetch links must not spend the token.
    if request.method != "POST":
        return render(request, "credentials/learner_sign_in_confirm.html")
    try:
        learner = redeem_sign_in_token(token=token, request=request)
    except ValidationError as error:
        return render(
            request,
            "credentials/learner_sign_in_failed.html",
            {"error": error.messages[0]},
            status=400,
        )
    after = request.session.pop(AFTER_SIGN_IN, "")
    request.session.cycle_key()  # a new session id on sign-in (session fixation)
    request.session[LEARNER_SESSION_KEY] = learner.pk
    # Back to where sign-in was asked for (an app's consent screen), if it is one of our pages.
    if after.startswith("/") and url_has_allowed_host_and_scheme(after, allowed_hosts=None):
        return redirect(after)
    return redirect("credentials:learner-area")


@require_POST
def sign_out(request):
    request.session.pop(LEARNER_SESSION_KEY, None)
    request.session.cycle_key()
    return redirect("credentials:learner-sign-in")


def _status_label(status: str) -> str:
    return {
        "valid": _("Valid"),
        "revoked": _("Revoked"),
        "suspended": _("Suspended"),
        "expired": _("Expired"),
    }[status]


@never_cache
@require_GET
@learner_required
def area(request):
    lang = current_lang()
    rows = []
    for award in learner_awards(request.learner):
        version = award.programme_version
        issuer = version.programme.issuer
        status = award_status(award)
        kwargs = {"public_id": award.public_id}
        rows.append(
            {
                "award": award,
                "title": version.title_in(lang) or version.title,
                "issuer_name": pick(issuer.name_ja, issuer.name_en, lang),
                "status": status,
                "status_label": _status_label(status),
                "page_url": reverse("badges:credential-page", kwargs=kwargs),
                "has_badges": getattr(award, "badge_record", None) is not None,
                "downloads": [
                    (
                        variant,
                        reverse("badges:baked-image", kwargs={**kwargs, "variant": variant}),
                    )
                    for variant in VARIANTS
                ],
            }
        )
    learner = request.learner
    return render(
        request,
        "credentials/learner_area.html",
        {
            "learner": learner,
            "learner_name": own_learner_name(learner).in_lang(lang),  # their own: any issuer's
            "rows": rows,
        },
    )


@require_POST
@learner_required
def set_visibility(request, public_id):
    award = Award.objects.filter(public_id=public_id, learner=request.learner).first()
    if award is None:
        raise Http404  # another learner's award: not even its existence is confirmed
    visible = request.POST.get("visible") == "1"
    set_public_page_visibility(
        learner=request.learner, award=award, visible=visible, request=request
    )
    messages.success(
        request, _("The page is now public.") if visible else _("The page is now hidden.")
    )
    return redirect("credentials:learner-area")
