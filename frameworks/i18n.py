"""Choosing between the Japanese and English halves of bilingual data.

Framework data carries both languages side by side (label_ja / label_en); gettext covers the
portal's own sentences. Japanese is the default; English is used only when asked for.
"""

from django.utils import translation
from django.utils.translation import ngettext_lazy

LANGUAGES = ("ja", "en")


def current_lang(lang: str | None = None) -> str:
    """ "en" if `lang` (or, when None, the active language) is English, else "ja"."""
    code = lang or translation.get_language() or "ja"
    return "en" if code.lower().startswith("en") else "ja"


def pick(ja: str, en: str, lang: str | None = None) -> str:
    """The text in the wanted language, falling back to the other one when it is empty."""
    if current_lang(lang) == "en":
        return en or ja
    return ja or en


def in_language(lang: str, message, params: dict | None = None) -> str:
    """Render a (lazy) gettext message with %-params in `lang`, params translated too."""
    with translation.override(lang):
        rendered = {key: str(value) for key, value in (params or {}).items()}
        text = str(message)
        return text % rendered if params is not None else text


def in_both(message, params: dict | None = None) -> tuple[str, str]:
    """The message in Japanese and in English."""
    return in_language("ja", message, params), in_language("en", message, params)


HOURS = ngettext_lazy("%(amount)s hour", "%(amount)s hours", "n")
CREDITS = ngettext_lazy("%(amount)s credit", "%(amount)s credits", "n")


class Quantity:
    """A number with its unit ("10 hours", "10時間"), written in whichever language is active
    when it is turned into text, so one message can be rendered in ja and en."""

    def __init__(self, unit, number: float):
        self.unit, self.number = unit, number

    def __str__(self) -> str:
        amount = float(self.number)
        text = str(int(amount)) if amount.is_integer() else f"{amount:g}"
        return str(self.unit % {"n": 1 if amount == 1 else 2, "amount": text})


def hours(number: float) -> Quantity:
    return Quantity(HOURS, number)


def credits(number: float) -> Quantity:
    return Quantity(CREDITS, number)
