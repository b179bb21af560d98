"""Choices for the descriptor editor that come from the standards' own lists."""

import pycountry

from frameworks.i18n import current_lang
from frameworks.value_types.places import country_name

# Shown as checkboxes; any other BCP 47 tag is typed in beside them.
COMMON_LANGUAGES = ("ja", "en", "zh", "ko")
FIRST_COUNTRIES = ("JP",)


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166-1 country by its name in the active language, Japan first."""
    lang = current_lang()
    others = sorted(
        (country.alpha_2, country_name(country.alpha_2, lang))
        for country in pycountry.countries
        if country.alpha_2 not in FIRST_COUNTRIES
    )
    others.sort(key=lambda choice: choice[1])
    return [(code, country_name(code, lang)) for code in FIRST_COUNTRIES] + others
