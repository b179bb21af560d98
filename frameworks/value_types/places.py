"""Countries (ISO 3166-1 alpha-2, via pycountry) and languages (BCP 47, via langcodes).

These are the standards' own lists, not hand-written ones; pycountry also ships the Japanese
names used when rendering.
"""

import gettext
from functools import cache

import langcodes
import pycountry
from django.utils.translation import gettext_lazy as _

from .base import (
    DUPLICATE_CODE,
    MUST_BE_LIST,
    MUST_BE_TEXT,
    MUST_NOT_BE_EMPTY,
    Problem,
    ValueType,
    join_parts,
)

NOT_A_COUNTRY = _("“%(value)s” is not an ISO 3166-1 alpha-2 country code")
USE_UPPER_CASE = _("“%(value)s”: write the country code in capitals, “%(suggestion)s”")
NOT_A_LANGUAGE_TAG = _("“%(value)s” is not a valid BCP 47 language tag")
USE_HYPHENS = _("“%(value)s”: BCP 47 tags use hyphens, “%(suggestion)s”")
UNDETERMINED_LANGUAGE = _("“%(value)s” does not name a language")


@cache
def _pycountry_translation(domain: str, lang: str):
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(code: str, lang: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _pycountry_translation("iso3166-1", lang).gettext(name)


def language_name(tag: str, lang: str) -> str:
    """The name of the tag's primary language (subtags are shown in the tag itself)."""
    primary = langcodes.Language.get(tag).language or ""
    language = pycountry.languages.get(**{"alpha_2" if len(primary) == 2 else "alpha_3": primary})
    if language is None:
        return tag
    return _pycountry_translation("iso639-3", lang).gettext(language.name)


def check_country_code(value, path, vocabularies):
    if not isinstance(value, str):
        return [Problem(path, MUST_BE_TEXT)]
    if len(value) == 2 and value.isascii() and value.isalpha():
        if value.isupper() and pycountry.countries.get(alpha_2=value):
            return []
        if pycountry.countries.get(alpha_2=value.upper()):
            return [Problem(path, USE_UPPER_CASE, {"value": value, "suggestion": value.upper()})]
    return [Problem(path, NOT_A_COUNTRY, {"value": value})]


def check_language_tag(value, path) -> list[Problem]:
    if not isinstance(value, str):
        return [Problem(path, MUST_BE_TEXT)]
    if "_" in value:
        suggestion = value.replace("_", "-")
        if langcodes.tag_is_valid(suggestion):
            return [Problem(path, USE_HYPHENS, {"value": value, "suggestion": suggestion})]
    if not langcodes.tag_is_valid(value):
        return [Problem(path, NOT_A_LANGUAGE_TAG, {"value": value})]
    if langcodes.Language.get(value).language in (None, "und", "zxx", "mul"):
        return [Problem(path, UNDETERMINED_LANGUAGE, {"value": value})]
    return []


def check_language_tags(value, path, vocabularies):
    if not isinstance(value, list):
        return [Problem(path, MUST_BE_LIST)]
    if not value:
        return [Problem(path, MUST_NOT_BE_EMPTY)]
    problems = []
    seen = set()
    for index, tag in enumerate(value):
        problems += check_language_tag(tag, f"{path}[{index}]")
        if isinstance(tag, str):
            if tag.lower() in seen:
                problems.append(Problem(f"{path}[{index}]", DUPLICATE_CODE, {"code": tag}))
            seen.add(tag.lower())
    return problems


def render_country(value, lang, vocabularies):
    return f"{country_name(value, lang)} ({value})"


def render_languages(value, lang, vocabularies):
    return join_parts((f"{language_name(tag, lang)} ({tag})" for tag in value), lang)


COUNTRY_CODE = ValueType(name="country_code", check=check_country_code, render=render_country)
LANGUAGE_TAGS = ValueType(name="language_tags", check=check_language_tags, render=render_languages)
