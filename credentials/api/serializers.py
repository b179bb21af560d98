"""One input and one output serializer per API view: translation only, no business rules."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from credentials.models import Assessment, Award
from credentials.selectors import EXPIRED
from frameworks.selectors import get_default_framework
from frameworks.validation import validate_programme

# ---- descriptors --------------------------------------------------------------------------


def _english() -> bool:
    return (get_language() or "ja").startswith("en")


def descriptor_messages(result) -> list[str]:
    """A descriptor result's problems (with their paths) or its reason, in the request language."""
    english = _english()
    messages = [
        f"{problem.path}: {problem.message_en if english else problem.message_ja}"
        if problem.path and problem.path != result.key
        else (problem.message_en if english else problem.message_ja)
        for problem in result.problems
    ]
    return messages or [result.reason_en if english else result.reason_ja]


def report_errors(report, *, include_missing: bool) -> dict[str, list[str]]:
    """Per-descriptor errors of a validation report: invalid values, and (for publication)
    required descriptors that are missing and the framework's failing rules."""
    errors = {}
    for result in report.results:
        if result.status == "invalid" or (
            include_missing and result.status == "missing" and result.required
        ):
            errors[result.key] = descriptor_messages(result)
    if include_missing:
        english = _english()
        for rule in report.errors:
            errors.setdefault(f"rules.{rule.code}", []).append(
                rule.message_en if english else rule.message_ja
            )
    return errors


class DescriptorsField(serializers.DictField):
    """The `descriptors` object of docs/descriptors.md, checked by the framework's validators."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.JSONField(), **kwargs)


def check_descriptors(descriptors: dict, issuer) -> dict:
    """Raise a per-descriptor ValidationError for invalid values; drafts may still be missing
    descriptors (publication checks completeness)."""
    descriptors = {key: value for key, value in descriptors.items() if value is not None}
    report = validate_programme(descriptors, get_default_framework(), awarding_body=issuer)
    errors = report_errors(report, include_missing=False)
    if errors:
        raise serializers.ValidationError(errors)
    return descriptors


# ---- programmes ---------------------------------------------------------------------------


class ProgramInputSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=80)
    descriptors = DescriptorsField()
    criteria_ja = serializers.CharField(required=False, allow_blank=True, default="")
    criteria_en = serializers.CharField(required=False, allow_blank=True, default="")
    validity_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1200, default=None
    )

    def validate_descriptors(self, value):
        return check_descriptors(value, self.context["issuer"])


class ProgramUpdateInputSerializer(serializers.Serializer):
    """A PATCH: `descriptors` is merged key by key into the current ones (null removes a key)."""

    descriptors = DescriptorsField(required=False)
    criteria_ja = serializers.CharField(required=False, allow_blank=True)
    criteria_en = serializers.CharField(required=False, allow_blank=True)
    validity_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1200
    )

    def validate_descriptors(self, value):
        current = self.context["current_descriptors"]
        return check_descriptors({**current, **value}, self.context["issuer"])


class ProgramOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    status = serializers.CharField()
    version = serializers.SerializerMethodField()
    published_version = serializers.SerializerMethodField()
    descriptors = serializers.SerializerMethodField()
    criteria_ja = serializers.SerializerMethodField()
    criteria_en = serializers.SerializerMethodField()
    validity_months = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_version(self, programme) -> int | None:
        version = programme.latest_version
        return version.number if version else None

    def get_published_version(self, programme) -> int | None:
        version = programme.published_version
        return version.number if version else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_descriptors(self, programme):
        return programme.latest_version.descriptors

    def get_criteria_ja(self, programme) -> str:
        return programme.latest_version.criteria_ja

    def get_criteria_en(self, programme) -> str:
        return programme.latest_version.criteria_en

    def get_validity_months(self, programme) -> int | None:
        return programme.latest_version.validity_months


class PublishInputSerializer(serializers.Serializer):
    """Publishing takes no fields; the body may be empty."""


# ---- learners -----------------------------------------------------------------------------


class LearnerInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name_ja = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    name_en = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    student_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64
    )


class LearnerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name_ja = serializers.CharField()
    name_en = serializers.CharField()


# ---- assessments --------------------------------------------------------------------------


class AssessmentFieldsSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=Assessment.Result.choices)
    assessed_on = serializers.DateField()
    method = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    score = serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    grade = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    evidence_url = serializers.URLField(
        required=False, allow_blank=True, default="", max_length=500
    )
    evidence_narrative = serializers.CharField(required=False, allow_blank=True, default="")


class AssessmentInputSerializer(AssessmentFieldsSerializer):
    program = serializers.IntegerField(help_text=_("The programme's id."))
    learner_email = serializers.EmailField()


class AssessmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    program = serializers.IntegerField(source="programme_version.programme_id")
    version = serializers.IntegerField(source="programme_version.number")
    learner_email = serializers.EmailField(source="learner.email")
    result = serializers.CharField()
    assessed_on = serializers.DateField()
    method = serializers.CharField()
    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    grade = serializers.CharField()
    evidence_url = serializers.CharField()
    evidence_narrative = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


# ---- awards -------------------------------------------------------------------------------


class AwardLearnerSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text=_("Stored as the Japanese name if it has non-ASCII characters, else English."),
    )
    name_ja = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    name_en = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    student_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64
    )

    def validate(self, attrs):
        name = attrs.pop("name", "").strip()
        if name:
            field = "name_en" if name.isascii() else "name_ja"
            attrs[field] = attrs[field] or name
        return attrs


class AwardInputSerializer(serializers.Serializer):
    program = serializers.IntegerField(help_text=_("The programme's id."))
    learner = AwardLearnerSerializer()
    assessment = AssessmentFieldsSerializer(
        required=False,
        help_text=_(
            "Record this assessment first (needs assessments:write). Without it, the learner's "
            "latest assessment under the published version is used."
        ),
    )


class AwardFilterInputSerializer(serializers.Serializer):
    program = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(
        choices=[*Award.Status.values, EXPIRED], required=False, help_text=_("Effective status.")
    )
    learner = serializers.EmailField(required=False, help_text=_("The learner's e-mail."))
    updated_since = serializers.DateTimeField(
        required=False, help_text=_("Only awards changed at or after this time (ISO 8601).")
    )


class AwardLinksSerializer(serializers.Serializer):
    ob2_assertion = serializers.URLField(allow_null=True)
    ob3_credential = serializers.URLField(allow_null=True)
    ob2_png = serializers.URLField(allow_null=True)
    ob2_svg = serializers.URLField(allow_null=True)
    ob3_png = serializers.URLField(allow_null=True)
    ob3_svg = serializers.URLField(allow_null=True)
    public_page = serializers.URLField(allow_null=True)


def _absolute(name: str, **kwargs) -> str | None:
    # badges owns these routes; credentials never imports it, so they are reversed by name.
    try:
        return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def award_links(award: Award) -> dict:
    links = dict.fromkeys(AwardLinksSerializer().fields, None)
    if award.status == Award.Status.PENDING:
        return links  # nothing is signed before the award is issued
    public_id = award.public_id
    links["ob2_assertion"] = _absolute("badges:ob2-assertion", public_id=public_id)
    links["ob3_credential"] = _absolute("badges:ob3-credential", public_id=public_id)
    for variant in ("ob2.png", "ob2.svg", "ob3.png", "ob3.svg"):
        links[variant.replace(".", "_")] = _absolute(
            "badges:baked-image", public_id=public_id, variant=variant
        )
    return links


class AwardLearnerOutputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name_ja = serializers.CharField()
    name_en = serializers.CharField()


class AwardOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.SerializerMethodField()
    program = serializers.IntegerField(source="programme_version.programme_id")
    program_slug = serializers.CharField(source="programme_version.programme.slug")
    version = serializers.IntegerField(source="programme_version.number")
    learner = AwardLearnerOutputSerializer()
    assessment = serializers.IntegerField(source="assessment_id", allow_null=True)
    issued_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revocation_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    links = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=[*Award.Status.values, EXPIRED]))
    def get_status(self, award) -> str:
        effective = getattr(award, "effective_status", None)
        if effective:
            return effective
        return EXPIRED if award.is_expired else award.status

    @extend_schema_field(AwardLinksSerializer)
    def get_links(self, award):
        return award_links(award)


class RevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


def award_event_payload(award: Award) -> dict:
    """The `data` of award.issued / award.revoked webhooks: the award as GET /awards/{id}/
    shows it, so integrators parse one shape."""
    return dict(AwardOutputSerializer(award).data)
