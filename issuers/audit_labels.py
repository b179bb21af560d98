"""What the audit trail's codes mean to a person: actions, object types and objects by their
Japanese/English labels. Every action code written anywhere in the code has a label here
(tests/issuers/test_audit_labels.py reads the source to keep it so); an unknown code still reads
as words."""

from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    # Issuers and their staff
    "issuer.create": _("Issuer created"),
    "issuer.update": _("Issuer profile changed"),
    "issuer.quality_assurance.update": _("Internal quality assurance changed"),
    "external_qa.add": _("External quality assurance added"),
    "external_qa.update": _("External quality assurance changed"),
    "external_qa.remove": _("External quality assurance removed"),
    "membership.create": _("Staff member added"),
    "membership.update": _("Staff role changed"),
    "membership.remove": _("Staff member removed"),
    "signing_key.generate": _("Signing key generated"),
    "signing_key.rotate": _("Signing key rotated"),
    "signing_key.reencrypt": _("Signing key re-encrypted"),
    "api_client.create": _("API client created"),
    "api_client.deactivate": _("API client deactivated"),
    "webhook.register": _("Webhook registered"),
    "webhook.delete": _("Webhook deleted"),
    "endorsement.create": _("Endorsement issued"),
    "endorsement.withdraw": _("Endorsement withdrawn"),
    "endorsement.accept": _("Endorsement accepted"),
    "endorsement.decline": _("Endorsement declined"),
    "agreement.propose": _("Consortium agreement proposed"),
    "agreement.accept": _("Consortium agreement consented to"),
    "agreement.decline": _("Consortium agreement declined"),
    "agreement.end": _("Consortium agreement ended"),
    "recognition.submit": _("Outside badge registered"),
    "recognition.match": _("Outside badge matched a recognition rule"),
    "recognition.approve": _("Recognition approved"),
    "recognition.decline": _("Recognition declined"),
    "recognition.withdraw": _("Recognition withdrawn (outside badge no longer valid)"),
    "recognition_rule.set": _("Recognition rule set"),
    # Programmes
    "programme.create": _("Programme created"),
    "programme.update": _("Programme draft changed"),
    "programme.revise": _("New programme version drafted"),
    "programme.publish": _("Programme version published"),
    "programme.retire": _("Programme retired"),
    "stack.set": _("Stack requirement set"),
    "stack.remove": _("Stack requirement removed"),
    # Learners, assessments, awards
    "learner.create": _("Learner registered"),
    "learner.enrol": _("Learner enrolled"),
    "learner.sign_in": _("Learner signed in"),
    "assessment.record": _("Assessment result recorded"),
    "assessment.update": _("Assessment result changed"),
    "assessment.import": _("Assessment results imported"),
    "award.propose": _("Award proposed"),
    "award.issue": _("Award issued"),
    "award.revoke": _("Award revoked"),
    "award.public_page_visibility": _("Public page shown or hidden by the learner"),
    # Badges and batch jobs
    "badge.issue": _("Badge signed and baked"),
    "badge.revoke": _("Badge revoked in the status list"),
    "badge.sign_failed": _("Badge signing failed"),
    "assessment.evidence_file": _("Evidence file attached to an assessment"),
    "award.suspend": _("Award suspended"),
    "award.reinstate": _("Award reinstated"),
    "award.reissue": _("Award reissued with a correction"),
    "badge.suspend": _("Badge suspended in the status list"),
    "badge.reinstate": _("Badge reinstated in the status list"),
    "badge.wallet_offer": _("Credential offered to a wallet"),
    "badge.wallet_issue": _("Credential issued to a wallet"),
    "learner.oauth_revoke": _("App access withdrawn by the learner"),
    "batch.start": _("Batch job started"),
    "batch.complete": _("Batch job completed"),
    "batch.cancel": _("Batch job cancelled"),
}


def action_label(code: str) -> str:
    """The action's label; an unknown code as words ("award.suspend" → "award: suspend")."""
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    subject, _dot, verb = code.partition(".")
    words = verb.replace(".", " ").replace("_", " ")
    return f"{subject.replace('_', ' ')}: {words}" if words else subject.replace("_", " ")


def _model(target_type: str):
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def target_type_label(target_type: str) -> str:
    """The object type by its model's (translated) name, e.g. "credentials.award" → 授与."""
    model = _model(target_type)
    return str(model._meta.verbose_name) if model else target_type


def target_type_choices(target_types) -> list[tuple[str, str]]:
    return sorted(((code, target_type_label(code)) for code in target_types), key=lambda c: c[1])


def target_admin_url(target_type: str, target_id: str) -> str | None:
    """The object's admin page when it has one (the page itself checks who may see it)."""
    model = _model(target_type)
    if model is None or model not in admin.site._registry:
        return None
    meta = model._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[target_id])
    except NoReverseMatch:
        return None
