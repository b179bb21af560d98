"""Recording assessments: a learner's result under a published programme version."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from credentials.models import Assessment, Learner, Programme, ProgrammeVersion
from credentials.selectors import is_enrolled
from frameworks.rules import assessment_methods
from frameworks.selectors import get_default_framework, vocabulary_index
from frameworks.value_types.assessment import counts_as_assessment
from frameworks.vocabularies import TermInfo
from issuers.permissions import Action
from issuers.services import record_audit, require_permission


def declared_methods(version: ProgrammeVersion) -> list[str]:
    """The assessment type codes the version's type_of_assessment descriptor declares."""
    return [m["type"] for m in assessment_methods(version.descriptors) if isinstance(m, dict)]


def declared_method_terms(version: ProgrammeVersion) -> list[TermInfo]:
    """The declared methods as vocabulary terms (code and labels), for reading what staff type
    ("レポート", "Report", "report") and for naming the allowed values in their language."""
    vocabularies = vocabulary_index(version.framework or get_default_framework())
    return [
        vocabularies.term("assessment_types", code) or TermInfo(code, code, code)
        for code in declared_methods(version)
    ]


def assessing_methods(version: ProgrammeVersion) -> list[str]:
    """The declared methods that assess learning outcomes (attendance alone does not)."""
    vocabularies = vocabulary_index(version.framework or get_default_framework())
    return [
        code
        for code in declared_methods(version)
        if counts_as_assessment({"type": code}, vocabularies)
    ]


def default_method(version: ProgrammeVersion) -> str:
    methods = assessing_methods(version)
    return methods[0] if methods else ""


def check_method(version: ProgrammeVersion, method: str) -> None:
    """The method must be one the programme declares (codes of the framework vocabulary)."""
    methods = declared_methods(version)
    if method not in methods:
        raise ValidationError(
            {
                "method": _("%(method)s is not an assessment method of this programme (%(known)s).")
                % {"method": method or "-", "known": ", ".join(methods) or "-"}
            }
        )


def check_assessable(version: ProgrammeVersion) -> None:
    if not version.is_published:
        raise ValidationError(_("Results can only be recorded under a published version."))
    if version.programme.status == Programme.Status.RETIRED:
        raise ValidationError(_("This programme is retired."))


def check_enrolled(learner: Learner, version: ProgrammeVersion) -> None:
    # Staff only reach learners their issuer knows; a learner from elsewhere is refused.
    if not is_enrolled(learner, version.programme.issuer):
        raise PermissionDenied(_("This learner is not registered at this issuer."))


@transaction.atomic
def record_assessment(
    *,
    actor,
    learner: Learner,
    programme_version: ProgrammeVersion,
    result: str,
    assessed_on,
    method: str = "",
    score=None,
    grade: str = "",
    evidence_url: str = "",
    evidence_narrative: str = "",
    request=None,
) -> Assessment:
    """Record (or correct) the learner's result on `assessed_on`; a re-sit is another date."""
    issuer = programme_version.programme.issuer
    require_permission(actor, issuer, Action.RECORD_ASSESSMENT)
    check_assessable(programme_version)
    check_enrolled(learner, programme_version)
    method = method or default_method(programme_version)
    check_method(programme_version, method)
    assessment = (
        Assessment.objects.select_for_update()
        .filter(learner=learner, programme_version=programme_version, assessed_on=assessed_on)
        .first()
    )
    created = assessment is None
    if created:
        assessment = Assessment(
            learner=learner, programme_version=programme_version, assessed_on=assessed_on
        )
    assessment.result = result
    assessment.score = score
    assessment.grade = (grade or "").strip()
    assessment.method = method
    assessment.assessor = actor
    assessment.evidence_url = evidence_url or ""
    assessment.evidence_narrative = evidence_narrative or ""
    assessment.full_clean()
    assessment.save()
    record_audit(
        actor=actor,
        action="assessment.record" if created else "assessment.update",
        target=assessment,
        issuer=issuer,
        details={"result": result, "version": programme_version.number},
        request=request,
    )
    return assessment
