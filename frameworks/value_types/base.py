"""What every value type is made of, and the checks they share.

A value type checks the shape of one canonical descriptor value (docs/descriptors.md) and renders
it as readable text. Problems carry a JSON-ish path ("learning_outcomes[2]") and a lazy message,
so one problem can be shown in Japanese and in English.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from ..i18n import in_language, pick
from ..vocabularies import VocabularyIndex

MUST_BE_OBJECT = _("must be an object with named fields")
MUST_BE_LIST = _("must be a list")
MUST_NOT_BE_EMPTY = _("must not be empty")
MUST_BE_TEXT = _("must be text")
TEXT_IS_EMPTY = _("text is empty")
IS_REQUIRED = _("is required")
UNEXPECTED_FIELD = _("unexpected field “%(field)s”")
UNEXPECTED_LANGUAGE = _("unexpected language “%(language)s” (use ja and en)")
UNKNOWN_CODE = _("unknown code “%(code)s” (allowed: %(allowed)s)")
DUPLICATE_CODE = _("“%(code)s” is listed twice")
MUST_BE_BOOLEAN = _("must be true or false")
MUST_BE_POSITIVE_NUMBER = _("must be a number greater than 0")
MUST_BE_NON_NEGATIVE_NUMBER = _("must be a number of 0 or more")
MUST_BE_HTTP_URI = _("must be an absolute http(s) URI")

LOCALISED_TEXT_LANGUAGES = ("ja", "en")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a value, at `path`."""

    path: str
    message: Any  # a lazy gettext string with %(name)s placeholders
    params: Mapping = field(default_factory=dict)

    def message_in(self, lang: str) -> str:
        return in_language(lang, self.message, dict(self.params))

    def text(self, lang: str) -> str:
        """ "learning_outcomes[2]: text is empty" """
        return f"{self.path}: {self.message_in(lang)}"


Checker = Callable[[Any, str, VocabularyIndex], list[Problem]]
Renderer = Callable[[Any, str, VocabularyIndex], str]


@dataclass(frozen=True)
class ValueType:
    """A shape of descriptor value: how to check it and how to write it out.

    `facets` render one part of a value (e.g. only the ECTS credits); a facet renders "" when
    the value does not have that part, which is how a crosswalk element knows it is missing.
    """

    name: str
    check: Checker
    render: Renderer
    facets: Mapping[str, Renderer] = field(default_factory=dict)


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def format_number(value) -> str:
    """90.0 -> "90", 22.5 -> "22.5": numbers as people write them."""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def check_fields(
    value, path: str, *, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
) -> list[Problem] | None:
    """Problems with an object's field names, or None when `value` is not an object at all."""
    if not isinstance(value, dict):
        return None
    problems = [Problem(f"{path}.{name}", IS_REQUIRED) for name in required if name not in value]
    allowed = set(required) | set(optional)
    problems += [
        Problem(path, UNEXPECTED_FIELD, {"field": name}) for name in value if name not in allowed
    ]
    return problems


def check_localised_text(value, path: str) -> list[Problem]:
    """{"ja": "…", "en": "…"} with at least one non-blank text."""
    if not isinstance(value, dict):
        return [Problem(path, MUST_BE_OBJECT)]
    problems = [
        Problem(path, UNEXPECTED_LANGUAGE, {"language": language})
        for language in value
        if language not in LOCALISED_TEXT_LANGUAGES
    ]
    for language in LOCALISED_TEXT_LANGUAGES:
        if language in value and not isinstance(value[language], str):
            problems.append(Problem(f"{path}.{language}", MUST_BE_TEXT))
    texts = [value.get(language) for language in LOCALISED_TEXT_LANGUAGES]
    if not any(isinstance(text, str) and text.strip() for text in texts):
        problems.append(Problem(path, TEXT_IS_EMPTY))
    return problems


def check_optional_localised_text(container: dict, name: str, path: str) -> list[Problem]:
    if name not in container:
        return []
    return check_localised_text(container[name], f"{path}.{name}")


def check_code(value, path: str, vocabularies: VocabularyIndex, vocabulary_key: str):
    allowed = vocabularies.codes(vocabulary_key)
    if value in allowed:
        return []
    return [Problem(path, UNKNOWN_CODE, {"code": value, "allowed": ", ".join(allowed)})]


def check_code_list(
    value, path: str, vocabularies: VocabularyIndex, vocabulary_key: str
) -> list[Problem]:
    """A non-empty list of distinct codes of one vocabulary."""
    if not isinstance(value, list):
        return [Problem(path, MUST_BE_LIST)]
    if not value:
        return [Problem(path, MUST_NOT_BE_EMPTY)]
    problems = []
    for index, code in enumerate(value):
        problems += check_code(code, f"{path}[{index}]", vocabularies, vocabulary_key)
        if code in value[:index]:
            problems.append(Problem(f"{path}[{index}]", DUPLICATE_CODE, {"code": code}))
    return problems


def is_http_uri(value) -> bool:
    if not isinstance(value, str) or any(character.isspace() for character in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check_http_uri(value, path: str) -> list[Problem]:
    return [] if is_http_uri(value) else [Problem(path, MUST_BE_HTTP_URI)]


def localised(value, lang: str) -> str:
    """The text of a localised-text value in `lang`, falling back to the other language."""
    if not isinstance(value, dict):
        return ""
    ja, en = value.get("ja"), value.get("en")
    return pick(ja if isinstance(ja, str) else "", en if isinstance(en, str) else "", lang).strip()


def join_parts(parts, lang: str) -> str:
    """Join rendered parts the way each language separates list items."""
    separator = "、" if lang == "ja" else ", "
    return separator.join(part for part in parts if part)


def join_clauses(parts, lang: str) -> str:
    separator = "；" if lang == "ja" else "; "
    return separator.join(part for part in parts if part)
