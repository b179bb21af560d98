"""The learner's own side: passwordless sign-in by e-mail link and the privacy of award pages.

Learners have no Django user: a signed-in learner is a learner id in the session."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from credentials.models import Award, Learner, LearnerLoginToken, normalise_email
from credentials.services.dispatch import dispatch_after_commit
from issuers.services import record_audit

LEARNER_SESSION_KEY = "learner_id"
SEND_SIGN_IN_LINK_TASK = "credentials.send_sign_in_link"
TOKEN_LIFETIME = datetime.timedelta(minutes=15)
# Per e-mail address: enough for a lost mail or two, too few to flood someone's inbox.
MAX_LINKS_PER_HOUR = 5


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _mail_text(link: str, lang: str) -> str:
    with translation.override(lang):
        return _(
            "Use this link to sign in to MC Portal and see your micro-credentials:\n%(link)s\n\n"
            "It works once and only for 15 minutes. If you did not ask for it, ignore this mail."
        ) % {"link": link}


def request_sign_in_link(*, email: str, request=None) -> None:
    """Ask for a sign-in link for `email`. The request does the same work whatever the address:
    it only queues the mail task (by name, after commit), which alone looks the learner up. So
    neither the answer nor its timing tells whether a learner has this address."""
    dispatch_after_commit(SEND_SIGN_IN_LINK_TASK, normalise_email(email))


def send_sign_in_link(email: str) -> bool:
    """The mail task: mail a single-use sign-in link if a learner has this address (at most
    MAX_LINKS_PER_HOUR an hour). The return value is for tests and logs."""
    learner = Learner.objects.filter(email=normalise_email(email)).first()
    if learner is None:
        return False
    now = timezone.now()
    recent = LearnerLoginToken.objects.filter(
        learner=learner, created_at__gte=now - datetime.timedelta(hours=1)
    ).count()
    if recent >= MAX_LINKS_PER_HOUR:
        return False
    token = secrets.token_urlsafe(32)
    LearnerLoginToken.objects.create(
        learner=learner, token_hash=_hash(token), created_at=now, expires_at=now + TOKEN_LIFETIME
    )
    link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "credentials:learner-sign-in-token", kwargs={"token": token}
    )
    # Both languages in one mail: the learner has no language preference stored.
    with translation.override("ja"):
        subject = _("Your MC Portal sign-in link")
    with translation.override("en"):
        subject = f"{subject} / {_('Your MC Portal sign-in link')}"
    body = f"{_mail_text(link, 'ja')}\n\n----\n\n{_mail_text(link, 'en')}\n"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [learner.email])
    return True


@transaction.atomic
def redeem_sign_in_token(*, token: str, request=None) -> Learner:
    """The learner a valid, unused, unexpired token belongs to; the token is spent."""
    digest = _hash(token)
    login = (
        LearnerLoginToken.objects.select_for_update()
        .select_related("learner")
        .filter(token_hash=digest)
        .first()
    )
    # The lookup is by hash; the compare is constant-time all the same.
    if login is None or not hmac.compare_digest(login.token_hash, digest):
        raise ValidationError(_("This sign-in link is not valid."))
    now = timezone.now()
    if login.used_at is not None or login.expires_at <= now:
        raise ValidationError(_("This sign-in link has expired or was already used."))
    login.used_at = now
    login.save(update_fields=["used_at"])
    record_audit(
        actor=None,
        action="learner.sign_in",
        target=login.learner,
        details={"learner": login.learner.email},
        request=request,
    )
    return login.learner


@transaction.atomic
def set_public_page_visibility(*, learner: Learner, award: Award, visible: bool, request=None):
    """Only the learner an award belongs to decides whether its page is public."""
    if award.learner_id != learner.pk:
        raise PermissionDenied(_("This is not your credential."))
    if award.public_page_visible != visible:
        award.public_page_visible = visible
        award.save(update_fields=["public_page_visible", "updated_at"])
        record_audit(
            actor=None,
            action="award.public_page_visibility",
            target=award,
            issuer=award.programme_version.programme.issuer,
            details={"learner": learner.email, "visible": visible},
            request=request,
        )
    return award


def purge_spent_sign_in_tokens(older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Delete sign-in tokens used or expired more than `older_than` ago (beat runs it daily):
    only hashes, but nothing is kept without a reason."""
    cutoff = timezone.now() - older_than
    deleted, _by_model = LearnerLoginToken.objects.filter(
        Q(expires_at__lt=cutoff) | Q(used_at__lt=cutoff)
    ).delete()
    return deleted
