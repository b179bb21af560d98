"""One input and one output serializer per API view: translation only, no business rules."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api_params import IdField
from credentials.models import Assessment, Award, IssuingBatch
from credentials.representations import (  # noqa: F401  (the views' output serializers)
    AwardLinksSerializer,
    AwardOutputSerializer,
    BatchLinksSerializer,
    BatchOutputSerializer,
    award_links,
)
from credentials.selectors import EXPIRED, programme_warnings
from credentials.services.imports.reading import canonical_row
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


class ProgramWarningSerializer(serializers.Serializer):
    """A framework rule the programme does not meet that does not block publishing."""

    code = serializers.CharField(help_text="The rule, e.g. min_learner_effort_hours.")
    severity = serializers.CharField()
    message_ja = serializers.CharField()
    message_en = serializers.CharField()


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
    warnings = serializers.SerializerMethodField()
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

    @extend_schema_field(ProgramWarningSerializer(many=True))
    def get_warnings(self, programme):
        return ProgramWarningSerializer(programme_warnings(programme), many=True).data


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
    program = IdField(help_text=_("The programme's id."))
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
    program = IdField(help_text=_("The programme's id."))
    learner = AwardLearnerSerializer()
    assessment = AssessmentFieldsSerializer(
        required=False,
        help_text=_(
            "Record this assessment first (needs assessments:write). Without it, the learner's "
            "latest assessment under the published version is used."
        ),
    )


class AwardFilterInputSerializer(serializers.Serializer):
    program = IdField(required=False)
    status = serializers.ChoiceField(
        choices=[*Award.Status.values, EXPIRED], required=False, help_text=_("Effective status.")
    )
    learner = serializers.EmailField(required=False, help_text=_("The learner's e-mail."))
    updated_since = serializers.DateTimeField(
        required=False, help_text=_("Only awards changed at or after this time (ISO 8601).")
    )


class RevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class SuspendInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ReinstateInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReissueInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="What is corrected.")
    name_ja = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)


# ---- batches ------------------------------------------------------------------------------

BATCH_COLUMNS = (
    "email",
    "name_ja",
    "name_en",
    "student_number",
    "result",
    "score",
    "grade",
    "assessed_on",
    "method",
    "evidence_url",
    "evidence",
)  # fmt: skip (the CSV import's columns: credentials.services.imports.reading.COLUMNS)
# Per value, as stored: the e-mail column is at most 254 characters in the record; other
# values are bounded so that one row cannot be megabytes (the row checks are stricter).
BATCH_VALUE_LIMITS = {column: 254 if column == "email" else 10_000 for column in BATCH_COLUMNS}
BATCH_ROW_SCHEMA = {
    "type": "object",
    "description": (
        "One result, with the CSV import's columns. Rows that cannot be read (a bad e-mail, "
        "an unknown result, a missing date…) do not fail the request: they become failed "
        "items with the reason. Keys may also be the Japanese headers (メールアドレス, 合否, "
        "評価日, 評価方法…); `result` and `method` take labels too (合格, レポート). Other keys "
        "are ignored."
    ),
    "properties": {
        **{
            column: {"type": "string", "nullable": True, "maxLength": limit}
            for column, limit in BATCH_VALUE_LIMITS.items()
        },
        "score": {
            "oneOf": [{"type": "number"}, {"type": "string", "maxLength": 10_000}],
            "nullable": True,
        },
    },
    "example": {
        "email": "hanako@example.ac.jp", "name_ja": "港 花子", "name_en": "Hanako Minato",
        "result": "pass", "score": 86, "grade": "A", "assessed_on": "2026-07-31",
        "method": "written_exam",
    },
}  # fmt: skip


@extend_schema_field({"type": "array", "items": BATCH_ROW_SCHEMA, "minItems": 1})
class BatchRowsField(serializers.Field):
    """A list of result rows. Only the shape is checked here (a list of objects with text,
    number or null values): reading each row is the batch's job, which reports bad rows as
    failed items. Cheaper than a nested serializer per row, which matters at 100,000 rows."""

    default_error_messages = {
        "not_a_list": _("Send a list of results."),
        "empty": _("The list is empty: there is nothing to issue."),
        "too_many": _("A batch can hold at most %(max)s awards; split the list."),
        "not_an_object": _("Each result must be an object."),
        "not_a_value": _("Send a text, a number or null."),
        "not_text": _("The text contains characters that cannot be stored."),
        "too_long": _("Ensure this field has no more than {max_length} characters."),
    }

    def to_internal_value(self, data):
        # The limit is the service's (MAX_BATCH_ITEMS), passed in by the view: importing
        # services.batches here would be circular (its finishing imports this module).
        limit = self.context["max_items"]
        if not isinstance(data, list):
            self.fail("not_a_list")
        if not data:
            self.fail("empty")
        if len(data) > limit:
            # %-style, as the service writes the same message (one translation for both).
            message = self.error_messages["too_many"] % {"max": f"{limit:,}"}
            raise serializers.ValidationError(message, code="too_many")
        errors, rows = {}, []
        for index, row in enumerate(data):
            if not isinstance(row, dict):
                errors[index] = [self.error_messages["not_an_object"]]
                continue
            row = canonical_row(row)  # Japanese keys too: {"学籍番号": …, "合否": "合格"}
            bad = {}
            for key in BATCH_COLUMNS:
                problem = self._problem(row.get(key), BATCH_VALUE_LIMITS[key])
                if problem:
                    bad[key] = [problem]
            if bad:
                errors[index] = bad
            rows.append({key: row.get(key) for key in BATCH_COLUMNS})
        if errors:
            raise serializers.ValidationError([errors.get(i, {}) for i in range(len(data))])
        return rows

    def _problem(self, value, max_length: int) -> str | None:
        if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
            return None
        if not isinstance(value, str):
            return self.error_messages["not_a_value"]
        if len(value) > max_length:
            return self.error_messages["too_long"].format(max_length=max_length)
        try:
            value.encode()  # a lone surrogate cannot be stored
        except UnicodeEncodeError:
            return self.error_messages["not_text"]
        return self.error_messages["not_text"] if "\x00" in value else None

    def to_representation(self, value):
        return value


class BatchInputSerializer(serializers.Serializer):
    program = IdField(help_text=_("The programme's id (its published version)."))
    notify = serializers.BooleanField(
        default=True, help_text=_("E-mail each learner the link to their credential.")
    )
    items = BatchRowsField()


class BatchCsvInputSerializer(serializers.Serializer):
    program = IdField(help_text=_("The programme's id (its published version)."))
    notify = serializers.BooleanField(
        default=True, help_text=_("E-mail each learner the link to their credential.")
    )
    file = serializers.FileField(
        help_text=_(
            "A results file as the staff import takes it: UTF-8 (with or without BOM), "
            "UTF-16 or Shift_JIS (CP932), comma- or tab-separated, with a header row."
        )
    )


class BatchFilterInputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=IssuingBatch.State.values, required=False)
    program = IdField(required=False)


class BatchErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        help_text=_("The row's line in the file, or position in the list.")
    )
    email = serializers.CharField()
    reason_ja = serializers.CharField(source="error_ja")
    reason_en = serializers.CharField(source="error_en")
