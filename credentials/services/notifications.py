"""Telling learners their micro-credential is ready: one bilingual mail (Japanese, then
English; the learner has no stored language) with the link to their credential page.

At most once per item: the item is claimed (`sending`, committed) before the mail goes out and
marked `sent` after, so a re-run of the chunk never mails anyone twice. A worker killed between
the two leaves the item `sending`, shown on the job page, rather than risk a second mail."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from credentials.models import BatchItem, localised
from credentials.selectors import LearnerName, award_learner_name, award_learner_names

# The credential page belongs to the badges app; it is reached by URL name only.
CREDENTIAL_PAGE = "badges:credential-page"


def credential_page_url(award) -> str:
    path = reverse(CREDENTIAL_PAGE, kwargs={"public_id": award.public_id})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _text(award, name: LearnerName, link: str, lang: str) -> str:
    version = award.programme_version
    issuer = version.programme.issuer
    with translation.override(lang):
        return _(
            "%(name)s,\n\n%(issuer)s has issued you the micro-credential “%(title)s”.\n\n"
            "Your credential page, with the badge to download, share or add to LinkedIn:\n"
            "%(link)s\n\nAnyone can check it at the verify page of MC Portal."
        ) % {
            "name": localised({"ja": name.ja, "en": name.en}, lang),
            "issuer": issuer.name_en if lang == "en" and issuer.name_en else issuer.name_ja,
            "title": version.title_in(lang) or version.programme.slug,
            "link": link,
        }


def award_mail(award, name: LearnerName | None = None) -> EmailMessage:
    """The mail, addressed by the name the award's issuer recorded (`name`: looked up in bulk
    by the caller; else one query)."""
    name = award_learner_name(award) if name is None else name
    link = credential_page_url(award)
    with translation.override("ja"):
        subject_ja = _("Your micro-credential has been issued")
    with translation.override("en"):
        subject_en = _("Your micro-credential has been issued")
    body = f"{_text(award, name, link, 'ja')}\n\n----\n\n{_text(award, name, link, 'en')}\n"
    return EmailMessage(
        f"{subject_ja} / {subject_en}", body, settings.DEFAULT_FROM_EMAIL, [award.learner.email]
    )


def _claim(batch_pk: int, number: int) -> list[int]:
    with transaction.atomic():
        items = list(
            # of=self: the join on the batch must not lock (and so skip on) the batch row.
            BatchItem.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                batch_id=batch_pk,
                chunk=number,
                state=BatchItem.State.ISSUED,
                notification=BatchItem.Notification.NONE,
                batch__notify_learners=True,
            )
            .values_list("pk", flat=True)
        )
        BatchItem.objects.filter(pk__in=items).update(
            notification=BatchItem.Notification.SENDING, updated_at=timezone.now()
        )
    return items


def notify_batch_chunk(batch_pk: int, number: int) -> int:
    """Mail the learners of a chunk's issued items that were not mailed yet; returns how many."""
    claimed = _claim(batch_pk, number)
    if not claimed:
        return 0
    items = BatchItem.objects.filter(pk__in=claimed).select_related(
        "award__learner", "award__programme_version__programme__issuer"
    )
    items = list(items)
    names = award_learner_names(item.award for item in items)  # one query for the chunk
    sent, failed = [], []
    with get_connection() as connection:
        for item in items:
            try:
                connection.send_messages([award_mail(item.award, names[item.award.pk])])
                sent.append(item.pk)
            except OSError:  # SMTP refused this address or dropped: recorded, not retried
                failed.append(item.pk)
    now = timezone.now()
    BatchItem.objects.filter(pk__in=sent).update(
        notification=BatchItem.Notification.SENT, notified_at=now, updated_at=now
    )
    BatchItem.objects.filter(pk__in=failed).update(
        notification=BatchItem.Notification.FAILED, updated_at=now
    )
    return len(sent)
