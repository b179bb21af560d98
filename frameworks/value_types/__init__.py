"""The shapes of descriptor values (docs/descriptors.md), one value type per shape.

`VALUE_TYPES` maps a value-type name to its checker and renderer. `CANONICAL_KEYS` maps every
canonical descriptor key to its value type: this is the contract of docs/descriptors.md, shared by
every framework. A framework's data file never defines shapes; its elements only say which
canonical keys (and facets of them) they draw on, so a new framework is just a new data file.

    >>> VALUE_TYPES[CANONICAL_KEYS["learner_effort"]].check(value, "learner_effort", vocabularies)
    [Problem(path="learner_effort.total_hours", ...)]
"""

from .assessment import QUALITY_ASSURANCE, TYPE_OF_ASSESSMENT
from .base import Problem, ValueType, format_number, is_http_uri, is_number, localised
from .credits import CREDIT_RECOGNITION, credit_text
from .learning import CERTIFICATION, FORM_OF_PARTICIPATION, LEARNER_EFFORT, LEVEL, STACKABILITY
from .places import COUNTRY_CODE, LANGUAGE_TAGS
from .text import DATE, LEARNER_IDENTIFIER, LOCALISED_TEXT, LOCALISED_TEXT_LIST

VALUE_TYPES: dict[str, ValueType] = {
    value_type.name: value_type
    for value_type in (
        LOCALISED_TEXT,
        LOCALISED_TEXT_LIST,
        LEARNER_IDENTIFIER,
        DATE,
        COUNTRY_CODE,
        LANGUAGE_TAGS,
        FORM_OF_PARTICIPATION,
        LEARNER_EFFORT,
        TYPE_OF_ASSESSMENT,
        QUALITY_ASSURANCE,
        LEVEL,
        CERTIFICATION,
        CREDIT_RECOGNITION,
        STACKABILITY,
    )
}

CANONICAL_KEYS: dict[str, str] = {
    "learner_identification": "learner_identifier",
    "date_of_issuing": "date",
    "title": "localised_text",
    "awarding_body": "localised_text",
    "country_region": "country_code",
    "content": "localised_text",
    "learning_outcomes": "localised_text_list",
    "form_of_participation": "form_of_participation",
    "language": "language_tags",
    "learner_effort": "learner_effort",
    "type_of_assessment": "type_of_assessment",
    "quality_assurance": "quality_assurance",
    "level": "level",
    "certification": "certification",
    "credit_recognition": "credit_recognition",
    "prerequisites": "localised_text",
    "stackability": "stackability",
}


def value_type_for(key: str) -> ValueType:
    """The value type of a canonical descriptor key (KeyError for an unknown key)."""
    return VALUE_TYPES[CANONICAL_KEYS[key]]


__all__ = [
    "CANONICAL_KEYS",
    "VALUE_TYPES",
    "Problem",
    "ValueType",
    "credit_text",
    "format_number",
    "is_http_uri",
    "is_number",
    "localised",
    "value_type_for",
]
