"""Micro-credential-level rules: conditions on the programme as a whole, switched on by data.

A framework's "rules" object names the rules that apply and their numbers, e.g.
{"assessment_required": true, "min_learner_effort_hours": 10, "min_credits": 1}. A rule that
holds produces nothing; one that fails produces a RuleResult (an error blocks validity, a
warning does not). The rules read descriptor values defensively, since they run on
values that may also have failed their shape checks.
"""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _

from .i18n import credits as quantity_of_credits
from .i18n import hours as quantity_of_hours
from .i18n import in_both, in_language
from .value_types import credit_text, format_number, is_http_uri, is_number, localised
from .value_types.assessment import counts_as_assessment
from .vocabularies import VocabularyIndex

ERROR = "error"
WARNING = "warning"

# Rule parameter -> the type its value must have in a data file.
RULE_PARAMETERS = {
    "assessment_required": bool,
    "min_learner_effort_hours": float,
    "min_credits": float,
    "rirekishomei_min_hours": float,
    "internal_qa_uri_required": bool,
    "credit_hours_consistent": bool,
}

NO_ASSESSMENT = _(
    "No assessment is described: a micro-credential must assess its learning outcomes "
    "against clearly defined standards."
)
PARTICIPATION_ONLY = _(
    "Participation or attendance alone is not an assessment: without an assessment of its "
    "learning outcomes this is not a micro-credential."
)
HOURS_BELOW = _("Learner effort is %(hours)s, below the guideline of about %(min_hours)s.")
CREDITS_BELOW = _("The credits (%(credits)s) are below the guideline of %(min_credits)s or more.")
HOURS_AND_CREDITS_BELOW = _(
    "Learner effort is %(hours)s and the credits are %(credits)s, below the guideline of "
    "about %(min_hours)s or %(min_credits)s."
)
NO_INTERNAL_QA_STANDARD = _(
    "Quality assurance must name the internal quality-assurance standard and give an "
    "absolute http(s) URI describing it."
)
NO_INTERNAL_QA_URI = _(
    "The internal quality-assurance standard needs an absolute http(s) URI describing it."
)
BAD_INTERNAL_QA_URI = _(
    "The URI of the internal quality-assurance standard must be an absolute http(s) URI, "
    "not “%(uri)s”."
)
RIREKISHOMEI_TOO_SHORT = _(
    "A 履修証明 programme needs %(min_hours)s or more; learner effort is %(hours)s."
)
RIREKISHOMEI_HOURS_UNKNOWN = _(
    "A 履修証明 programme needs %(min_hours)s or more, but the total learning hours are not stated."
)
CREDIT_HOURS_MISMATCH = _(
    "Learner effort is %(hours)s, but the credit system expects %(expected)s hours of learning "
    "for %(credits)s."
)


@dataclass(frozen=True)
class RuleResult:
    code: str
    severity: str  # "error" | "warning"
    message_ja: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_ja

    def as_dict(self) -> dict:
        return asdict(self)


def _result(code: str, severity: str, message, params=None) -> RuleResult:
    message_ja, message_en = in_both(message, params)
    return RuleResult(code, severity, message_ja, message_en)


def _result_with_credit(code, severity, message, params, credit, vocabularies) -> RuleResult:
    """A result whose message names a credit amount, written the way each language writes it."""
    if credit is None:
        return _result(code, severity, message, params)
    message_ja = in_language(
        "ja", message, {**params, "credits": credit_text(credit, "ja", vocabularies)}
    )
    message_en = in_language(
        "en", message, {**params, "credits": credit_text(credit, "en", vocabularies)}
    )
    return RuleResult(code, severity, message_ja, message_en)


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def assessment_methods(values: dict) -> list:
    return _list(_object(values.get("type_of_assessment")).get("methods"))


def has_real_assessment(values: dict, vocabularies: VocabularyIndex) -> bool:
    """At least one method that assesses learning outcomes (participation does not)."""
    return any(counts_as_assessment(m, vocabularies) for m in assessment_methods(values))


def total_hours(values: dict):
    hours = _object(values.get("learner_effort")).get("total_hours")
    return hours if is_number(hours) and hours > 0 else None


def stated_credits(values: dict, vocabularies: VocabularyIndex) -> list[dict]:
    credits = _list(_object(values.get("credit_recognition")).get("credits"))
    return [
        credit
        for credit in credits
        if isinstance(credit, dict)
        and vocabularies.term("credit_systems", credit.get("system"))
        and is_number(credit.get("value"))
        and credit["value"] > 0
    ]


def check_assessment(values, vocabularies) -> list[RuleResult]:
    if has_real_assessment(values, vocabularies):
        return []
    message = PARTICIPATION_ONLY if assessment_methods(values) else NO_ASSESSMENT
    return [_result("assessment_required", ERROR, message)]


def check_learning_volume(values, vocabularies, min_hours, min_credits) -> list[RuleResult]:
    """About `min_hours` hours OR `min_credits` credits, judged on whichever is stated."""
    hours = total_hours(values) if min_hours is not None else None
    credits = stated_credits(values, vocabularies) if min_credits is not None else []
    largest = max(credits, key=lambda credit: credit["value"], default=None)
    if hours is None and largest is None:
        return []  # nothing stated: the learner_effort descriptor itself is reported missing
    if (hours is not None and hours >= min_hours) or (
        largest is not None and largest["value"] >= min_credits
    ):
        return []
    params = {}
    if hours is not None:
        params.update(hours=quantity_of_hours(hours), min_hours=quantity_of_hours(min_hours))
    if largest is not None:
        params.update(min_credits=quantity_of_credits(min_credits))
    if hours is not None and largest is not None:
        message = HOURS_AND_CREDITS_BELOW
    else:
        message = HOURS_BELOW if hours is not None else CREDITS_BELOW
    return [
        _result_with_credit("min_learning_volume", WARNING, message, params, largest, vocabularies)
    ]


def check_internal_quality_assurance(values) -> list[RuleResult]:
    internal = _object(_object(values.get("quality_assurance")).get("internal"))
    if not (localised(internal.get("standard"), "ja") or localised(internal.get("standard"), "en")):
        return [_result("internal_qa_uri_required", ERROR, NO_INTERNAL_QA_STANDARD)]
    uri = internal.get("uri")
    if uri is None or uri == "":
        return [_result("internal_qa_uri_required", ERROR, NO_INTERNAL_QA_URI)]
    if not is_http_uri(uri):
        return [_result("internal_qa_uri_required", ERROR, BAD_INTERNAL_QA_URI, {"uri": uri})]
    return []


def check_rirekishomei_hours(values, min_hours) -> list[RuleResult]:
    types = _list(_object(values.get("certification")).get("types"))
    if "rirekishomei_certificate" not in types:
        return []
    hours = total_hours(values)
    params = {"min_hours": quantity_of_hours(min_hours)}
    if hours is None:
        return [_result("rirekishomei_min_hours", ERROR, RIREKISHOMEI_HOURS_UNKNOWN, params)]
    if hours < min_hours:
        params["hours"] = quantity_of_hours(hours)
        return [_result("rirekishomei_min_hours", ERROR, RIREKISHOMEI_TOO_SHORT, params)]
    return []


def check_credit_hours(values, vocabularies) -> list[RuleResult]:
    """Each stated credit amount should match the hours its credit system defines."""
    hours = total_hours(values)
    if hours is None:
        return []
    results = []
    for credit in stated_credits(values, vocabularies):
        data = vocabularies.term("credit_systems", credit["system"]).data
        low, high = data.get("hours_per_credit_min"), data.get("hours_per_credit_max")
        if low is None or high is None:
            continue
        low, high = low * credit["value"], high * credit["value"]
        if low <= hours <= high:
            continue
        expected = (
            format_number(low) if low == high else f"{format_number(low)}–{format_number(high)}"
        )
        params = {"expected": expected, "hours": quantity_of_hours(hours)}
        results.append(
            _result_with_credit(
                "credit_hours_consistent",
                WARNING,
                CREDIT_HOURS_MISMATCH,
                params,
                credit,
                vocabularies,
            )
        )
    return results


def evaluate_rules(rules: dict, values: dict, vocabularies: VocabularyIndex) -> list[RuleResult]:
    """The failed rules of a framework's `rules` data for these descriptor values."""
    results = []
    if rules.get("assessment_required"):
        results += check_assessment(values, vocabularies)
    if rules.get("internal_qa_uri_required"):
        results += check_internal_quality_assurance(values)
    if rules.get("rirekishomei_min_hours") is not None:
        results += check_rirekishomei_hours(values, rules["rirekishomei_min_hours"])
    if rules.get("min_learner_effort_hours") is not None or rules.get("min_credits") is not None:
        results += check_learning_volume(
            values, vocabularies, rules.get("min_learner_effort_hours"), rules.get("min_credits")
        )
    if rules.get("credit_hours_consistent"):
        results += check_credit_hours(values, vocabularies)
    return results


RULE_DESCRIPTIONS = {
    "assessment_required": _(
        "Learning outcomes must be assessed: participation or attendance alone is not a "
        "micro-credential (error)."
    ),
    "internal_qa_uri_required": _(
        "Quality assurance must name the internal quality-assurance standard with an absolute "
        "http(s) URI describing it (error)."
    ),
    "rirekishomei_min_hours": _(
        "A 履修証明 programme needs %(hours)s or more of learning (error)."
    ),
    "credit_hours_consistent": _(
        "Stated credits should match the learning hours of their credit system (warning)."
    ),
}
VOLUME_IN_HOURS_OR_CREDITS = _(
    "Learning volume of about %(hours)s or %(credits)s or more (a warning below it)."
)
VOLUME_IN_HOURS = _("Learning volume of about %(hours)s or more (a warning below it).")
VOLUME_IN_CREDITS = _("Learning volume of %(credits)s or more (a warning below it).")


def describe_rules(rules: dict) -> list[str]:
    """The framework's rules as sentences in the active language."""
    descriptions = [
        str(message) % {"hours": quantity_of_hours(rules[name])}
        if name == "rirekishomei_min_hours"
        else str(message)
        for name, message in RULE_DESCRIPTIONS.items()
        if rules.get(name) not in (None, False)
    ]
    hours, credits = rules.get("min_learner_effort_hours"), rules.get("min_credits")
    volume = {"hours": quantity_of_hours(hours or 0), "credits": quantity_of_credits(credits or 0)}
    if hours is not None and credits is not None:
        descriptions.append(str(VOLUME_IN_HOURS_OR_CREDITS) % volume)
    elif hours is not None:
        descriptions.append(str(VOLUME_IN_HOURS) % volume)
    elif credits is not None:
        descriptions.append(str(VOLUME_IN_CREDITS) % volume)
    return descriptions
