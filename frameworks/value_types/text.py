"""Plain values: localised text, lists of it, and the identifiers and dates given at issuing."""

import datetime

from django.utils.translation import gettext_lazy as _

from .base import (
    MUST_BE_LIST,
    MUST_BE_TEXT,
    MUST_NOT_BE_EMPTY,
    TEXT_IS_EMPTY,
    Problem,
    ValueType,
    check_localised_text,
    localised,
)

MUST_BE_DATE = _("must be a date written YYYY-MM-DD")


def check_localised_text_list(value, path, vocabularies):
    if not isinstance(value, list):
        return [Problem(path, MUST_BE_LIST)]
    if not value:
        return [Problem(path, MUST_NOT_BE_EMPTY)]
    problems = []
    for index, item in enumerate(value):
        problems += check_localised_text(item, f"{path}[{index}]")
    return problems


def render_localised_text_list(value, lang, vocabularies):
    # One outcome per line: the readable form of a list in a table cell or a badge criterion.
    return "\n".join(f"・{localised(item, lang)}" for item in value if localised(item, lang))


def check_identifier(value, path, vocabularies):
    if not isinstance(value, str):
        return [Problem(path, MUST_BE_TEXT)]
    return [] if value.strip() else [Problem(path, TEXT_IS_EMPTY)]


def check_date(value, path, vocabularies):
    if isinstance(value, str):
        try:
            datetime.date.fromisoformat(value[:10])
            if len(value) == 10 or value[10] == "T":
                datetime.datetime.fromisoformat(value)
                return []
        except ValueError:
            pass
    return [Problem(path, MUST_BE_DATE)]


LOCALISED_TEXT = ValueType(
    name="localised_text",
    check=lambda value, path, vocabularies: check_localised_text(value, path),
    render=lambda value, lang, vocabularies: localised(value, lang),
)
LOCALISED_TEXT_LIST = ValueType(
    name="localised_text_list",
    check=check_localised_text_list,
    render=render_localised_text_list,
)
LEARNER_IDENTIFIER = ValueType(
    name="learner_identifier",
    check=check_identifier,
    render=lambda value, lang, vocabularies: str(value),
)
DATE = ValueType(
    name="date",
    check=check_date,
    render=lambda value, lang, vocabularies: str(value)[:10],
)
