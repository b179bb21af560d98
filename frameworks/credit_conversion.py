"""A programme's learning volume in every credit system, each figure with its basis in hours.

    credit_conversion(descriptors, vocabularies) -> CreditConversion
    convert_credits(credits, total_hours, vocabularies) -> CreditConversion

The credit systems and their hours per credit are vocabulary data (the `credit_systems`
vocabulary: 大学設置基準 1 credit = 45 h, UCTS 38–48 h, ECTS 25–30 h), so a system is added or
corrected in the data file, not here. A system that defines a range is converted with both
ends of it: 90 h ÷ 25–30 h/ECTS = 3–3.6 ECTS (never one chosen figure).

The hours are the stated total learning hours (learner effort) or, failing those, a stated
credit amount times its system's hours per credit (the first such system in vocabulary order).
A credit amount the programme states is reported as stated and never converted.
Amounts are rounded half-up to one decimal place.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from .i18n import in_language, pick
from .rules import stated_credits, total_hours
from .value_types import format_number
from .vocabularies import TermInfo, VocabularyIndex

STATED, CONVERTED, NOT_CONVERTIBLE = "stated", "converted", "not_convertible"
FROM_LEARNER_EFFORT, FROM_CREDITS = "learner_effort", "credits"
LANGS = ("ja", "en")

HOURS = _("%(amount)s h")
HOURS_PER_CREDIT = _("%(hours)s h/%(unit)s")
STATED_BASIS = _("Stated in the programme (not converted).")
NOTHING_TO_CONVERT = _(
    "Neither the total learning hours nor a credit amount is stated: there is nothing to "
    "convert from."
)
HOURS_STATED = _("%(hours)s (total learning hours stated as the learner effort)")


def _rounded(number: float) -> float:
    return float(Decimal(str(number)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Span:
    """A number or a range of numbers: 90, or 3–3.6."""

    low: float
    high: float

    @property
    def is_single(self) -> bool:
        return self.low == self.high

    def text(self, lang: str) -> str:
        if self.is_single:
            return format_number(self.low)
        dash = "〜" if lang == "ja" else "–"
        return f"{format_number(self.low)}{dash}{format_number(self.high)}"

    def times(self, factor: "Span") -> "Span":
        return Span(self.low * factor.low, self.high * factor.high)

    def divided_by(self, divisor: "Span") -> "Span":
        # The fewest credits take the most hours per credit, and the other way round.
        return Span(_rounded(self.low / divisor.high), _rounded(self.high / divisor.low))

    def as_dict(self) -> dict:
        return {"min": self.low, "max": self.high}


@dataclass(frozen=True)
class CreditSystem:
    """One system of the credit_systems vocabulary that states its hours per credit."""

    term: TermInfo
    hours_per_credit: Span

    @classmethod
    def from_term(cls, term: TermInfo) -> "CreditSystem | None":
        low, high = term.data.get("hours_per_credit_min"), term.data.get("hours_per_credit_max")
        if low is None or high is None:
            return None
        return cls(term, Span(float(low), float(high)))

    @property
    def code(self) -> str:
        return self.term.code

    def unit(self, lang: str, amount: Span) -> str:
        units = self.term.data.get("unit") or {}
        if lang == "en" and not (amount.is_single and amount.low == 1):
            return units.get("en_many") or units.get("en") or self.code
        return units.get(lang) or units.get("en") or self.code

    def quantity_text(self, amount: Span, lang: str) -> str:
        """ "2単位", "2 credits", "2 UCTS": a number and the bare unit."""
        unit = self.unit(lang, amount)
        space = "" if lang == "ja" and not unit.isascii() else " "
        return f"{amount.text(lang)}{space}{unit}"

    def amount_text(self, amount: Span, lang: str) -> str:
        """ "3〜3.6 ECTS", "2単位（大学設置基準）": the system's own way of writing an amount."""
        formats = self.term.data.get("format") or {}
        one = amount.is_single and amount.low == 1
        pattern = (formats.get(f"{lang}_one") if one else None) or formats.get(lang)
        text = amount.text(lang)
        return pattern.format(value=text) if pattern else f"{text} {self.unit(lang, amount)}"

    def rate_text(self, lang: str) -> str:
        """ "25〜30時間/ECTS" / "25–30 h/ECTS" """
        unit = self.unit(lang, Span(1, 1))
        return in_language(
            lang, HOURS_PER_CREDIT, {"hours": self.hours_per_credit.text(lang), "unit": unit}
        )


def _hours_text(hours: Span, lang: str) -> str:
    return in_language(lang, HOURS, {"amount": hours.text(lang)})


@dataclass(frozen=True)
class LearningHours:
    """The hours every conversion starts from, and where they come from."""

    hours: Span
    source: str  # "learner_effort" | "credits"
    from_system: str  # the credit system the hours were computed from ("" for learner effort)
    basis_ja: str
    basis_en: str

    def as_dict(self) -> dict:
        return {
            "hours": self.hours.as_dict(),
            "source": self.source,
            "from_system": self.from_system or None,
            "basis_ja": self.basis_ja,
            "basis_en": self.basis_en,
        }


@dataclass(frozen=True)
class Equivalent:
    """The programme's learning volume in one credit system."""

    system: str
    label_ja: str
    label_en: str
    definition_ja: str
    definition_en: str
    hours_per_credit: Span
    status: str  # "stated" | "converted" | "not_convertible"
    amount: Span | None
    amount_ja: str
    amount_en: str
    basis_ja: str
    basis_en: str

    def label(self, lang: str) -> str:
        return pick(self.label_ja, self.label_en, lang)

    def text(self, lang: str) -> str:
        """ "ECTS: 3〜3.6 ECTS（2単位 × 45時間 = 90時間 ÷ 25〜30時間/ECTS）" """
        amount = pick(self.amount_ja, self.amount_en, lang)
        basis = pick(self.basis_ja, self.basis_en, lang)
        open_, close = ("（", "）") if lang == "ja" else (" (", ")")
        return f"{self.label(lang)}: {amount}{open_}{basis}{close}" if amount else basis

    def as_dict(self) -> dict:
        return {
            "system": self.system,
            "label_ja": self.label_ja,
            "label_en": self.label_en,
            "definition_ja": self.definition_ja,
            "definition_en": self.definition_en,
            "hours_per_credit": self.hours_per_credit.as_dict(),
            "status": self.status,
            "amount": self.amount.as_dict() if self.amount else None,
            "amount_ja": self.amount_ja,
            "amount_en": self.amount_en,
            "basis_ja": self.basis_ja,
            "basis_en": self.basis_en,
        }


@dataclass(frozen=True)
class CreditConversion:
    hours: LearningHours | None
    equivalents: tuple[Equivalent, ...]

    def equivalent(self, system: str) -> Equivalent | None:
        return next((e for e in self.equivalents if e.system == system), None)

    def lines(self, lang: str) -> list[str]:
        """Readable lines: the hours with their source, then one line per credit system."""
        hours = [pick(self.hours.basis_ja, self.hours.basis_en, lang)] if self.hours else []
        return hours + [equivalent.text(lang) for equivalent in self.equivalents]

    def as_dict(self) -> dict:
        return {
            "hours": self.hours.as_dict() if self.hours else None,
            "equivalents": [equivalent.as_dict() for equivalent in self.equivalents],
        }


def credit_systems(vocabularies: VocabularyIndex) -> list[CreditSystem]:
    systems = (CreditSystem.from_term(t) for t in vocabularies.terms("credit_systems"))
    return [system for system in systems if system is not None]


def _learning_hours(total, stated: dict[str, float], systems) -> LearningHours | None:
    if total is not None:
        hours = Span(float(total), float(total))
        basis = {
            lang: in_language(lang, HOURS_STATED, {"hours": _hours_text(hours, lang)})
            for lang in LANGS
        }
        return LearningHours(hours, FROM_LEARNER_EFFORT, "", basis["ja"], basis["en"])
    for system in systems:
        if system.code in stated:
            credits = Span(stated[system.code], stated[system.code])
            hours = credits.times(system.hours_per_credit)
            basis = {
                lang: f"{system.quantity_text(credits, lang)} × "
                f"{_hours_text(system.hours_per_credit, lang)} = {_hours_text(hours, lang)}"
                for lang in LANGS
            }
            return LearningHours(hours, FROM_CREDITS, system.code, basis["ja"], basis["en"])
    return None


def _equivalent(system: CreditSystem, stated: dict, hours: LearningHours | None) -> Equivalent:
    if system.code in stated:
        status, amount = STATED, Span(stated[system.code], stated[system.code])
        basis = {lang: in_language(lang, STATED_BASIS) for lang in LANGS}
    elif hours is not None:
        status, amount = CONVERTED, hours.hours.divided_by(system.hours_per_credit)
        start = {
            FROM_LEARNER_EFFORT: lambda lang: _hours_text(hours.hours, lang),
            FROM_CREDITS: lambda lang: pick(hours.basis_ja, hours.basis_en, lang),
        }[hours.source]
        basis = {
            lang: f"{start(lang)} ÷ {system.rate_text(lang)} = {system.amount_text(amount, lang)}"
            for lang in LANGS
        }
    else:
        status, amount = NOT_CONVERTIBLE, None
        basis = {lang: in_language(lang, NOTHING_TO_CONVERT) for lang in LANGS}
    amounts = {lang: system.amount_text(amount, lang) if amount else "" for lang in LANGS}
    term = system.term
    return Equivalent(
        system=system.code,
        label_ja=term.label_ja,
        label_en=term.label_en,
        definition_ja=term.description_ja,
        definition_en=term.description_en,
        hours_per_credit=system.hours_per_credit,
        status=status,
        amount=amount,
        amount_ja=amounts["ja"],
        amount_en=amounts["en"],
        basis_ja=basis["ja"],
        basis_en=basis["en"],
    )


def convert_credits(
    credits: list[dict], total: float | None, vocabularies: VocabularyIndex
) -> CreditConversion:
    """`credits`: [{"system": "jp_university", "value": 2}, …] as stated; `total`: the total
    learning hours, or None."""
    systems = credit_systems(vocabularies)
    stated = {credit["system"]: float(credit["value"]) for credit in credits}
    hours = _learning_hours(total, stated, systems)
    return CreditConversion(hours, tuple(_equivalent(s, stated, hours) for s in systems))


def credit_conversion(descriptors: dict, vocabularies: VocabularyIndex) -> CreditConversion:
    """The conversion for a programme's descriptors (learner_effort, credit_recognition);
    values that fail their shape checks are left out, as the rules do."""
    values = descriptors if isinstance(descriptors, dict) else {}
    return convert_credits(stated_credits(values, vocabularies), total_hours(values), vocabularies)
