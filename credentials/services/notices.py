"""Telling the learner what happened to their award after issue: one bilingual mail per event
(suspended, reinstated, revoked, reissued), recorded as an AwardNotice and sent by a task after
the change commits, at most once (the notice is claimed before the mail goes out)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from credentials.models import AwardNotice
from credentials.selectors import award_learner_name

from .dispatch import dispatch_after_commit
from .notifications import credential_page_url

SEND_NOTICE_TASK = "credentials.send_award_notice"

SUBJECTS = {
    AwardNotice.Kind.SUSPENDED: gettext_lazy("Your micro-credential has been suspended"),
    AwardNotice.Kind.REINSTATED: gettext_lazy("Your micro-credential has been reinstated"),
    AwardNotice.Kind.REVOKED: gettext_lazy("Your micro-credential has been revoked"),
    AwardNotice.Kind.REISSUED: gettext_lazy("Your micro-credential has been reissued"),
}
BODIES = {
    AwardNotice.Kind.SUSPENDED: gettext_lazy(
        "%(issuer)s has suspended your micro-credential “%(title)s”. Until it is reinstated, "
        "verifiers are told not to rely on it."
    ),
    AwardNotice.Kind.REINSTATED: gettext_lazy(
        "%(issuer)s has reinstated your micro-credential “%(title)s”: it verifies as valid again."
    ),
    AwardNotice.Kind.REVOKED: gettext_lazy(
        "%(issuer)s has revoked your micro-credential “%(title)s”."
    ),
    AwardNotice.Kind.REISSUED: gettext_lazy(
        "%(issuer)s has reissued your micro-credential “%(title)s” with a correction. The new "
        "credential replaces the earlier one, which now shows as superseded; please share the "
        "new one."
    ),
}
REASON = gettext_lazy("Reason: %(reason)s")


def learner_name(award, lang: str) -> str:
    """The name the award's issuer recorded (never another issuer's)."""
    return award_learner_name(award).in_lang(lang)


def _text(notice: AwardNotice, lang: str) -> str:
    award = notice.award
    version = award.programme_version
    issuer = version.programme.issuer
    with translation.override(lang):
        lines = [
            f"{learner_name(award, lang)},",
            "",
            str(BODIES[notice.kind])
            % {
                "issuer": issuer.name_en if lang == "en" and issuer.name_en else issuer.name_ja,
                "title": version.title_in(lang) or version.programme.slug,
            },
        ]
        if notice.reason:
            lines.append(str(REASON) % {"reason": notice.reason})
        lines += ["", credential_page_url(award)]
    return "\n".join(lines)


def notify_learner(award, kind: str, *, reason: str = "", about=None) -> AwardNotice:
    """Record the notice and send it once the change has committed. `about` is the award the
    link should go to (the new one, for a reissue)."""
    target = about or award
    with translation.override("ja"):
        subject_ja = str(SUBJECTS[kind])
    with translation.override("en"):
        subject_en = str(SUBJECTS[kind])
    notice = AwardNotice.objects.create(
        award=target,
        kind=kind,
        reason=reason,
        email=award.learner.email,
        subject=f"{subject_ja} / {subject_en}",
    )
    dispatch_after_commit(SEND_NOTICE_TASK, notice.pk)
    return notice


def send_award_notice(notice_pk: int) -> bool:
    """Send one notice; False if it was already sent (a redelivered task mails nobody twice)."""
    with transaction.atomic():
        notice = (
            AwardNotice.objects.select_for_update()
            .select_related("award__learner", "award__programme_version__programme__issuer")
            .get(pk=notice_pk)
        )
        if notice.sent_at is not None:
            return False
        notice.sent_at = timezone.now()
        notice.save(update_fields=["sent_at"])
    body = f"{_text(notice, 'ja')}\n\n----\n\n{_text(notice, 'en')}\n"
    EmailMessage(notice.subject, body, settings.DEFAULT_FROM_EMAIL, [notice.email]).send()
    return True
