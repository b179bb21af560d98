"""Checking a programme's descriptors against a framework. Public API:

    validate_programme(descriptors: dict, framework=None, *, awarding_body=None) -> ValidationReport

`descriptors` is the object of docs/descriptors.md; `framework` None means the default
framework (jp-mc 1.0), any other loaded framework (eu-mc, au-nmf, …) works the same way.
`awarding_body` is what the issuer supplies: a localised name {"ja": …, "en": …}, a string,
or an object with name_ja / name_en.

The report has one result per element of the framework, plus one per unknown key:
    result.status        "ok" | "missing" | "invalid"
    result.reason_ja/en  why (also for some "ok": e.g. "supplied at issuing")
    result.problems      each shape problem with its path, e.g. "learning_outcomes[2]"
and the failed micro-credential rules (report.rules: code, severity "error" | "warning",
message_ja/en). report.is_valid: no required element missing or invalid, no optional element
invalid, no error rule. report.is_micro_credential: a real assessment (not participation only).
report.completeness: the percentage (int, rounded down) of required elements that are ok.
report.as_dict() is the JSON form.
"""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _

from .elements import is_provided, read_element
from .i18n import in_both, in_language
from .models import Descriptor, Framework
from .rules import ERROR, RuleResult, evaluate_rules, has_real_assessment
from .selectors import descriptors_for, get_default_framework, vocabulary_index
from .value_types import CANONICAL_KEYS

OK, MISSING, INVALID = "ok", "missing", "invalid"

SUPPLIED_AT_ISSUING = _("Supplied at issuing; not entered on a programme.")
SUPPLIED_BY_ISSUER = _("Supplied from the issuer organisation at issuing.")
SUPPLIED_BY_NAMED_ISSUER = _("Supplied from the issuer organisation: %(name)s.")
ISSUER_HAS_NO_NAME = _("The issuer organisation supplied for this descriptor has no name.")
NOT_ON_A_PROGRAMME = _("“%(key)s” is supplied at issuing and must not be entered on a programme.")
REQUIRED_MISSING = _("Required, but not provided.")
OPTIONAL_MISSING = _("Optional; not provided.")
REQUIRED_SOURCES_MISSING = _("Required, but none of its sources is provided: %(sources)s.")
OPTIONAL_SOURCES_MISSING = _("Optional; none of its sources is provided: %(sources)s.")
PARTLY_PROVIDED = _("Not provided: %(sources)s.")
UNKNOWN_KEY = _("“%(key)s” is not a descriptor key (see docs/descriptors.md).")


@dataclass(frozen=True)
class ProblemText:
    path: str
    message_ja: str
    message_en: str


@dataclass(frozen=True)
class DescriptorResult:
    key: str
    label_ja: str
    label_en: str
    required: bool
    source: str  # "programme" | "issuer" | "award" | "" (unknown key)
    status: str  # "ok" | "missing" | "invalid"
    reason_ja: str = ""
    reason_en: str = ""
    problems: tuple[ProblemText, ...] = ()

    def reason(self, lang: str) -> str:
        return self.reason_en if lang == "en" else self.reason_ja

    def as_dict(self) -> dict:
        return asdict(self) | {"problems": [asdict(problem) for problem in self.problems]}


@dataclass(frozen=True)
class ValidationReport:
    framework_slug: str
    framework_version: str
    results: tuple[DescriptorResult, ...]
    rules: tuple[RuleResult, ...]
    is_micro_credential: bool

    @property
    def is_valid(self) -> bool:
        descriptors_ok = all(
            result.status == OK or (result.status == MISSING and not result.required)
            for result in self.results
        )
        return descriptors_ok and not self.errors

    @property
    def completeness(self) -> int:
        required = [result for result in self.results if result.required]
        if not required:
            return 100
        return sum(result.status == OK for result in required) * 100 // len(required)

    @property
    def errors(self) -> list[RuleResult]:
        return [rule for rule in self.rules if rule.severity == ERROR]

    @property
    def warnings(self) -> list[RuleResult]:
        return [rule for rule in self.rules if rule.severity != ERROR]

    def result(self, key: str) -> DescriptorResult:
        return next(result for result in self.results if result.key == key)

    def as_dict(self) -> dict:
        return {
            "framework": {"slug": self.framework_slug, "version": self.framework_version},
            "is_valid": self.is_valid,
            "is_micro_credential": self.is_micro_credential,
            "completeness": self.completeness,
            "results": [result.as_dict() for result in self.results],
            "rules": [rule.as_dict() for rule in self.rules],
        }


def issuer_name(awarding_body) -> tuple[str, str]:
    """(ja, en) name of whatever the caller passed as the awarding body."""
    if isinstance(awarding_body, str):
        return awarding_body.strip(), awarding_body.strip()
    if isinstance(awarding_body, dict):
        ja, en = awarding_body.get("ja"), awarding_body.get("en")
    else:
        ja, en = getattr(awarding_body, "name_ja", ""), getattr(awarding_body, "name_en", "")
    ja = ja.strip() if isinstance(ja, str) else ""
    en = en.strip() if isinstance(en, str) else ""
    return ja or en, en or ja


def _result(descriptor: Descriptor, status: str, reasons=("", ""), problems=()):
    reason_ja, reason_en = reasons
    return DescriptorResult(
        key=descriptor.key,
        label_ja=descriptor.label_ja,
        label_en=descriptor.label_en,
        required=descriptor.required,
        source=descriptor.source,
        status=status,
        reason_ja=reason_ja,
        reason_en=reason_en,
        problems=tuple(problems),
    )


def _supplied_result(descriptor: Descriptor, values: dict, awarding_body) -> DescriptorResult:
    """Award- and issuer-sourced elements: never on a programme, filled in at issuing."""
    entered = [key for key in descriptor.source_keys if is_provided(values, key)]
    if entered:
        return _result(
            descriptor, INVALID, in_both(NOT_ON_A_PROGRAMME, {"key": ", ".join(entered)})
        )
    if descriptor.source == Descriptor.Source.AWARD:
        return _result(descriptor, OK, in_both(SUPPLIED_AT_ISSUING))
    if awarding_body is None:
        return _result(descriptor, OK, in_both(SUPPLIED_BY_ISSUER))
    name_ja, name_en = issuer_name(awarding_body)
    if not name_ja:
        return _result(descriptor, INVALID, in_both(ISSUER_HAS_NO_NAME))
    reasons = (
        in_language("ja", SUPPLIED_BY_NAMED_ISSUER, {"name": name_ja}),
        in_language("en", SUPPLIED_BY_NAMED_ISSUER, {"name": name_en}),
    )
    return _result(descriptor, OK, reasons)


def _programme_result(descriptor, values, vocabularies, problems_by_key) -> DescriptorResult:
    readings = read_element(descriptor, values, vocabularies, problems_by_key)
    problems = [problem for reading in readings for problem in reading.problems]
    if problems:
        reasons = (
            "；".join(problem.text("ja") for problem in problems),
            "; ".join(problem.text("en") for problem in problems),
        )
        texts = [
            ProblemText(problem.path, problem.message_in("ja"), problem.message_in("en"))
            for problem in problems
        ]
        return _result(descriptor, INVALID, reasons, texts)
    absent = [reading.label for reading in readings if not reading.present]
    if len(absent) < len(readings):
        if not absent:
            return _result(descriptor, OK)
        return _result(descriptor, OK, in_both(PARTLY_PROVIDED, {"sources": ", ".join(absent)}))
    if descriptor.source_keys in ([descriptor.key], []):
        message = REQUIRED_MISSING if descriptor.required else OPTIONAL_MISSING
        return _result(descriptor, MISSING, in_both(message))
    message = REQUIRED_SOURCES_MISSING if descriptor.required else OPTIONAL_SOURCES_MISSING
    return _result(descriptor, MISSING, in_both(message, {"sources": ", ".join(absent)}))


def _unknown_key_result(key: str) -> DescriptorResult:
    reason_ja, reason_en = in_both(UNKNOWN_KEY, {"key": key})
    return DescriptorResult(key, key, key, False, "", INVALID, reason_ja, reason_en)


def validate_programme(
    descriptors: dict, framework: Framework | None = None, *, awarding_body=None
) -> ValidationReport:
    if not isinstance(descriptors, dict):
        raise TypeError("descriptors must be a dict keyed by descriptor key")
    framework = framework or get_default_framework()
    vocabularies = vocabulary_index(framework)
    problems_by_key: dict = {}
    results = []
    for descriptor in descriptors_for(framework):
        if descriptor.source == Descriptor.Source.PROGRAMME:
            results.append(
                _programme_result(descriptor, descriptors, vocabularies, problems_by_key)
            )
        else:
            results.append(_supplied_result(descriptor, descriptors, awarding_body))
    results += [_unknown_key_result(key) for key in descriptors if key not in CANONICAL_KEYS]
    return ValidationReport(
        framework_slug=framework.slug,
        framework_version=framework.version,
        results=tuple(results),
        rules=tuple(evaluate_rules(framework.rules, descriptors, vocabularies)),
        is_micro_credential=has_real_assessment(descriptors, vocabularies),
    )
