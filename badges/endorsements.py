"""Endorsements: a third party on the portal (a QA body, an industry association) vouches for a
programme version. Public API:

    endorse_programme_version(*, actor, endorser, version, comment_ja, comment_en,
                              valid_until=None, request=None) -> Endorsement
    withdraw_endorsement(*, actor, endorsement, request=None) -> Endorsement
    accept_endorsement(*, actor, endorsement, request=None) -> Endorsement
    decline_endorsement(*, actor, endorsement, request=None) -> Endorsement
    check_endorsable(endorser, version, valid_until) -> None
    endorsement_credential(endorsement) -> dict        (unsigned OB 3.0 EndorsementCredential)
    ob2_endorsement(endorsement) -> dict               (hosted OB 2.0 Endorsement)
    load_demo_endorsements() -> list[Endorsement]

Each endorsement is signed once, with the endorser's key, when it is made. It then waits for the
endorsed issuer's consent (issuers distrust each other: nobody may put words into another
issuer's badges): one of that issuer's owners accepts or declines it. Only accepted, active,
unexpired endorsements are embedded in new badges of the version (badges.selectors
.active_endorsements, read by badges.ob3.achievement_for, badges.ob2.badge_class and so batch
signing); badges issued before keep what they were signed with.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from badges import dataintegrity, extension, ob2, ob3
from badges.models import Endorsement
from badges.narrative import bilingual
from issuers.keys import load_private_key
from issuers.models import Issuer
from issuers.permissions import Action
from issuers.services import ensure_signing_keys, record_audit, require_permission

OB2_HOSTED = "hosted"


def endorsement_url(endorsement) -> str:
    return extension.portal_url("ob3-endorsement", public_id=endorsement.public_id)


def ob2_endorsement_url(endorsement) -> str:
    return extension.portal_url("ob2-endorsement", public_id=endorsement.public_id)


def _comment(endorsement) -> str:
    return bilingual(endorsement.comment_ja.strip(), endorsement.comment_en.strip())


def endorsement_credential(endorsement) -> dict:
    """The unsigned OB 3.0 EndorsementCredential (VC v2, OB 3.0.3 and, for the endorser's
    bilingual name, the portal's context)."""
    endorser = endorsement.endorser
    version = endorsement.programme_version
    # Without the JSON-literal QA statement: embedded in a badge, a repeated JSON literal is
    # canonicalised differently by jsonld.js (see badges.ob3._creator).
    profile = ob3.issuer_profile(endorser)
    profile.pop("qualityAssurance", None)
    title = version.title_in("ja") or version.title_in("en") or version.programme.slug
    credential = {
        "@context": [ob3.VC_V2, ob3.OB_V3P0, extension.context_url()],
        "id": endorsement_url(endorsement),
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": profile,
        "validFrom": ob3.iso(endorsement.issued_at),
        "name": f"{profile['name']} による推薦: {title}",
        "credentialSubject": {
            "id": ob3.achievement_url(version),
            "type": ["EndorsementSubject"],
            "endorsementComment": _comment(endorsement),
        },
    }
    if endorsement.valid_until:
        credential["validUntil"] = ob3.iso(endorsement.valid_until)
    return credential


def ob2_endorsement(endorsement) -> dict:
    """The hosted OB 2.0 Endorsement of the version's BadgeClass."""
    version = endorsement.programme_version
    programme = version.programme
    return {
        "@context": ob2.OB2_CONTEXT,
        "type": "Endorsement",
        "id": ob2_endorsement_url(endorsement),
        "claim": {
            "id": ob2.ob2_url(
                "ob2-badgeclass",
                issuer_slug=programme.issuer.slug,
                programme_slug=programme.slug,
                number=version.number,
            ),
            "endorsementComment": _comment(endorsement),
        },
        "issuedOn": ob3.iso(endorsement.issued_at),
        "issuer": ob2.ob2_url("ob2-issuer", slug=endorsement.endorser.slug),
        "verification": {"type": OB2_HOSTED},
    }


def check_endorsable(endorser: Issuer, version, valid_until) -> None:
    """Raise ValidationError unless ``endorser`` may endorse ``version`` now (the admin form
    calls it too, to show the reason next to the fields)."""
    if version.programme.issuer_id == endorser.pk:
        raise ValidationError(_("An issuer cannot endorse its own programmes."))
    if not version.is_published:
        raise ValidationError(_("Only a published programme version can be endorsed."))
    if valid_until is not None and valid_until <= timezone.now():
        raise ValidationError(_("The end of validity must be in the future."))
    if Endorsement.objects.filter(
        endorser=endorser, programme_version=version, status=Endorsement.Status.ACTIVE
    ).exists():
        raise ValidationError(_("This issuer already endorses this programme version."))


@transaction.atomic
def endorse_programme_version(
    *,
    actor,
    endorser: Issuer,
    version,
    comment_ja: str,
    comment_en: str = "",
    valid_until: datetime.datetime | None = None,
    request=None,
) -> Endorsement:
    """Sign an endorsement of a published version of another issuer's programme, as one of the
    endorser's owners."""
    require_permission(actor, endorser, Action.MANAGE_ISSUER)
    if not (comment_ja or "").strip():
        raise ValidationError(_("The endorsement comment (Japanese) is required."))
    check_endorsable(endorser, version, valid_until)
    key = ensure_signing_keys(endorser)["ed25519"]
    endorsement = Endorsement(
        endorser=endorser,
        programme_version=version,
        comment_ja=comment_ja.strip(),
        comment_en=(comment_en or "").strip(),
        issued_at=timezone.now().replace(microsecond=0),
        valid_until=valid_until,
        signing_key=key,
    )
    endorsement.credential = dataintegrity.sign_eddsa_rdfc_2022(
        endorsement_credential(endorsement),
        private_key=load_private_key(key),
        verification_method=ob3.verification_method_id(key),
        document_loader=extension.document_loader(),
    )
    endorsement.ob2_endorsement = ob2_endorsement(endorsement)
    endorsement.save()
    record_audit(
        actor=actor,
        action="endorsement.create",
        target=endorsement,
        issuer=endorser,
        details={
            "endorsement": str(endorsement.public_id),
            "programme_version": version.pk,
            "endorsed_issuer": version.programme.issuer.slug,
            "key": key.key_id,
        },
        request=request,
    )
    return endorsement


@transaction.atomic
def withdraw_endorsement(*, actor, endorsement: Endorsement, request=None) -> Endorsement:
    """Withdraw an endorsement: new badges no longer embed it and its hosted OB 2.0 document
    answers 410 Gone. Badges already issued keep the signed copy they carry. Idempotent."""
    endorsement = Endorsement.objects.select_for_update().get(pk=endorsement.pk)
    require_permission(actor, endorsement.endorser, Action.MANAGE_ISSUER)
    if endorsement.status == Endorsement.Status.WITHDRAWN:
        return endorsement
    endorsement.status = Endorsement.Status.WITHDRAWN
    endorsement.withdrawn_at = timezone.now()
    endorsement.save(update_fields=["status", "withdrawn_at"])
    record_audit(
        actor=actor,
        action="endorsement.withdraw",
        target=endorsement,
        issuer=endorsement.endorser,
        details={"endorsement": str(endorsement.public_id)},
        request=request,
    )
    return endorsement


def _decide(actor, endorsement: Endorsement, acceptance: str, request) -> Endorsement:
    endorsement = (
        Endorsement.objects.select_for_update(of=("self",))
        .select_related("programme_version__programme__issuer")
        .get(pk=endorsement.pk)
    )
    endorsed = endorsement.programme_version.programme.issuer
    # Only the endorsed issuer's owners decide; the endorser (or anyone else) may not.
    require_permission(actor, endorsed, Action.MANAGE_ISSUER)
    if endorsement.acceptance == acceptance:
        return endorsement  # idempotent
    if endorsement.status == Endorsement.Status.WITHDRAWN:
        raise ValidationError(_("This endorsement has been withdrawn by its endorser."))
    previous = endorsement.acceptance
    endorsement.acceptance = acceptance
    endorsement.decided_at = timezone.now()
    endorsement.decided_by = actor if getattr(actor, "pk", None) else None
    endorsement.save(update_fields=["acceptance", "decided_at", "decided_by"])
    record_audit(
        actor=actor,
        action=(
            "endorsement.accept"
            if acceptance == Endorsement.Acceptance.ACCEPTED
            else "endorsement.decline"
        ),
        target=endorsement,
        issuer=endorsed,
        details={
            "endorsement": str(endorsement.public_id),
            "endorser": endorsement.endorser.slug,
            "programme_version": endorsement.programme_version_id,
            "previous": previous,
        },
        request=request,
    )
    return endorsement


@transaction.atomic
def accept_endorsement(*, actor, endorsement: Endorsement, request=None) -> Endorsement:
    """The endorsed issuer's owner accepts: new badges of the version embed the endorsement.
    Also reverses an earlier decline. Idempotent; audited."""
    return _decide(actor, endorsement, Endorsement.Acceptance.ACCEPTED, request)


@transaction.atomic
def decline_endorsement(*, actor, endorsement: Endorsement, request=None) -> Endorsement:
    """The endorsed issuer's owner declines: no new badge embeds it (an accepted one can be
    declined later; badges already issued keep what they carry). Idempotent; audited."""
    return _decide(actor, endorsement, Endorsement.Acceptance.DECLINED, request)


# --- Demo data ---------------------------------------------------------------------------------

DEMO_ENDORSER = {
    "slug": "dsqa",
    "kind": Issuer.Kind.QA_BODY,
    "name_ja": "一般社団法人 データサイエンス教育認証機構",
    "name_en": "Data Science Education Accreditation Organisation",
    "url": "https://www.dsqa.example.org/",
    "email": "review@dsqa.example.org",
    "country": "JP",
    "description_ja": "データサイエンス教育プログラムを認証基準に照らして審査する第三者機関です。",
    "description_en": (
        "A third-party body reviewing data-science education programmes against its standard."
    ),
}
DEMO_OWNER = ("dsqa-owner", "中村", "聡")
DEMO_ENDORSED = ("ds-silver", "ds-gold")
DEMO_COMMENT_JA = (
    "本機構の「データサイエンス教育プログラム認証基準」に照らして審査し、"
    "学修成果・評価方法・質保証がいずれも基準を満たすことを確認しました。"
)
DEMO_COMMENT_EN = (
    "Reviewed against our Data Science Education Programme Standard: its learning outcomes, "
    "assessment and quality assurance meet the standard."
)


@transaction.atomic
def load_demo_endorsements() -> list[Endorsement]:
    """The demo QA body, its owner and its endorsements of the university's silver and gold
    programmes (their published versions), accepted by the university. Idempotent."""
    from credentials.models import ProgrammeVersion
    from issuers import demo, services
    from issuers.models import Role
    from issuers.selectors import user_role

    admin = demo._demo_user(demo.DEMO_ADMIN, "admin@example.org", superuser=True)
    endorser = Issuer.objects.filter(slug=DEMO_ENDORSER["slug"]).first()
    if endorser is None:
        endorser = services.create_issuer(actor=admin, **DEMO_ENDORSER)
    username, last_name, first_name = DEMO_OWNER
    owner = demo._demo_user(
        username, "dsqa-owner@dsqa.example.org", last_name=last_name, first_name=first_name
    )
    if user_role(owner, endorser) != Role.OWNER:
        services.set_membership(actor=admin, issuer=endorser, user=owner, role=Role.OWNER)
    services.ensure_signing_keys(endorser, actor=admin)
    made = []
    versions = ProgrammeVersion.objects.filter(
        programme__slug__in=DEMO_ENDORSED, published_at__isnull=False
    ).exclude(programme__issuer=endorser)
    for version in versions:
        existing = Endorsement.objects.filter(
            endorser=endorser, programme_version=version, status=Endorsement.Status.ACTIVE
        ).first()
        if existing is None:
            try:
                existing = endorse_programme_version(
                    actor=owner,
                    endorser=endorser,
                    version=version,
                    comment_ja=DEMO_COMMENT_JA,
                    comment_en=DEMO_COMMENT_EN,
                )
            except (ValidationError, PermissionDenied):
                continue
        if existing.acceptance == Endorsement.Acceptance.PENDING:
            # The university accepts them (done here by the platform's demo admin).
            existing = accept_endorsement(actor=admin, endorsement=existing)
        made.append(existing)
    return made
