"""Credits and other recognition. Credit systems (and their hours) are vocabulary data."""

from django.utils.translation import gettext_lazy as _

from .base import (
    DUPLICATE_CODE,
    MUST_BE_LIST,
    MUST_BE_OBJECT,
    MUST_BE_POSITIVE_NUMBER,
    Problem,
    ValueType,
    check_code,
    check_fields,
    check_optional_localised_text,
    format_number,
    is_number,
    join_clauses,
    join_parts,
    localised,
)

NEEDS_CREDITS_OR_RECOGNITION = _("needs credits or a recognition")


def check_credit(credit, path, vocabularies):
    problems = check_fields(credit, path, required=("system", "value"))
    if problems is None:
        return [Problem(path, MUST_BE_OBJECT)]
    if "system" in credit:
        problems += check_code(credit["system"], f"{path}.system", vocabularies, "credit_systems")
    if "value" in credit:
        value = credit["value"]
        if not (is_number(value) and value > 0):
            problems.append(Problem(f"{path}.value", MUST_BE_POSITIVE_NUMBER))
    return problems


def check_credit_recognition(value, path, vocabularies):
    problems = check_fields(value, path, optional=("credits", "recognition"))
    if problems is None:
        return [Problem(path, MUST_BE_OBJECT)]
    credits = value.get("credits")
    if "credits" in value:
        if not isinstance(credits, list):
            problems.append(Problem(f"{path}.credits", MUST_BE_LIST))
        else:
            for index, credit in enumerate(credits):
                problems += check_credit(credit, f"{path}.credits[{index}]", vocabularies)
                systems_before = [c.get("system") for c in credits[:index] if isinstance(c, dict)]
                if isinstance(credit, dict) and credit.get("system") in systems_before:
                    problems.append(
                        Problem(
                            f"{path}.credits[{index}].system",
                            DUPLICATE_CODE,
                            {"code": credit["system"]},
                        )
                    )
    if not credits and "recognition" not in value:
        problems.append(Problem(path, NEEDS_CREDITS_OR_RECOGNITION))
    return problems + check_optional_localised_text(value, "recognition", path)


def credit_text(credit: dict, lang: str, vocabularies) -> str:
    """ "2単位（大学設置基準）" / "3 ECTS": the system's own way of writing an amount."""
    amount = format_number(credit["value"])
    term = vocabularies.term("credit_systems", credit["system"])
    formats = (term.data.get("format") or {}) if term else {}
    # English needs a singular ("1 … credit"); a format may give it as "en_one".
    pattern = formats.get(f"{lang}_one") if credit["value"] == 1 else None
    pattern = pattern or formats.get(lang)
    if pattern:
        return pattern.format(value=amount)
    return f"{amount} {vocabularies.label('credit_systems', credit['system'], lang)}"


def render_credits(value, lang, vocabularies, *, system: str | None = None):
    credits = [c for c in value.get("credits") or [] if system is None or c["system"] == system]
    return join_parts((credit_text(c, lang, vocabularies) for c in credits), lang)


def render_credit_recognition(value, lang, vocabularies):
    return join_clauses(
        [render_credits(value, lang, vocabularies), localised(value.get("recognition"), lang)],
        lang,
    )


CREDIT_RECOGNITION = ValueType(
    name="credit_recognition",
    check=check_credit_recognition,
    render=render_credit_recognition,
    facets={
        "credits": render_credits,
        "ects": lambda value, lang, vocabularies: render_credits(
            value, lang, vocabularies, system="ects"
        ),
        "recognition": lambda value, lang, vocabularies: localised(value.get("recognition"), lang),
    },
)
