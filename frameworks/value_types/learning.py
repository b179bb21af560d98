"""How the learning happens: participation, effort, level, certification, stackability."""

from django.utils.translation import gettext_lazy as _

from ..i18n import hours, in_language
from .base import (
    MUST_BE_NON_NEGATIVE_NUMBER,
    MUST_BE_OBJECT,
    MUST_BE_POSITIVE_NUMBER,
    Problem,
    ValueType,
    check_code,
    check_code_list,
    check_fields,
    check_localised_text,
    check_optional_localised_text,
    format_number,
    is_number,
    join_clauses,
    join_parts,
    localised,
)

CONTACT_EXCEEDS_TOTAL = _("must not exceed total_hours (%(total)s)")
NOT_A_JEQF_LEVEL = _("must be a JEQF level, one of %(allowed)s")
NEEDS_LEVEL_OR_DESCRIPTION = _("needs a JEQF level (jeqf) or a description")
TOTAL_HOURS = _("%(hours)s in total")
TOTAL_AND_CONTACT_HOURS = _("%(hours)s in total (%(contact)s of contact time)")
CONTACT_HOURS = _("%(contact)s of contact time")
JEQF_LEVEL = _("JEQF %(level)s")


def _note(value, lang):
    return localised(value.get("note"), lang) if isinstance(value, dict) else ""


def check_form_of_participation(value, path, vocabularies):
    problems = check_fields(value, path, required=("modes", "synchronicity"), optional=("note",))
    if problems is None:
        return [Problem(path, MUST_BE_OBJECT)]
    if "modes" in value:
        problems += check_code_list(
            value["modes"], f"{path}.modes", vocabularies, "participation_modes"
        )
    if "synchronicity" in value:
        problems += check_code_list(
            value["synchronicity"], f"{path}.synchronicity", vocabularies, "synchronicity"
        )
    return problems + check_optional_localised_text(value, "note", path)


def render_form_of_participation(value, lang, vocabularies):
    modes = join_parts(
        (vocabularies.label("participation_modes", code, lang) for code in value["modes"]), lang
    )
    timing = join_parts(
        (vocabularies.label("synchronicity", code, lang) for code in value["synchronicity"]),
        lang,
    )
    text = f"{modes}（{timing}）" if lang == "ja" else f"{modes} ({timing})"
    return join_clauses([text, _note(value, lang)], lang)


def check_learner_effort(value, path, vocabularies):
    problems = check_fields(
        value, path, required=("total_hours",), optional=("contact_hours", "note")
    )
    if problems is None:
        return [Problem(path, MUST_BE_OBJECT)]
    total = value.get("total_hours")
    if "total_hours" in value and not (is_number(total) and total > 0):
        problems.append(Problem(f"{path}.total_hours", MUST_BE_POSITIVE_NUMBER))
    if "contact_hours" in value:
        contact = value["contact_hours"]
        if not (is_number(contact) and contact >= 0):
            problems.append(Problem(f"{path}.contact_hours", MUST_BE_NON_NEGATIVE_NUMBER))
        elif is_number(total) and contact > total:
            problems.append(
                Problem(
                    f"{path}.contact_hours", CONTACT_EXCEEDS_TOTAL, {"total": format_number(total)}
                )
            )
    return problems + check_optional_localised_text(value, "note", path)


def render_total_hours(value, lang, vocabularies):
    if "contact_hours" in value:
        return in_language(
            lang,
            TOTAL_AND_CONTACT_HOURS,
            {"hours": hours(value["total_hours"]), "contact": hours(value["contact_hours"])},
        )
    return in_language(lang, TOTAL_HOURS, {"hours": hours(value["total_hours"])})


def render_contact_hours(value, lang, vocabularies):
    if "contact_hours" not in value:
        return ""
    return in_language(lang, CONTACT_HOURS, {"contact": hours(value["contact_hours"])})


def render_learner_effort(value, lang, vocabularies):
    return join_clauses([render_total_hours(value, lang, vocabularies), _note(value, lang)], lang)


def check_level(value, path, vocabularies):
    problems = check_fields(value, path, optional=("jeqf", "description"))
    if problems is None:
        return [Problem(path, MUST_BE_OBJECT)]
    if "jeqf" not in value and "description" not in value:
        problems.append(Problem(path, NEEDS_LEVEL_OR_DESCRIPTION))
    if "jeqf" in value:
        level, allowed = value["jeqf"], vocabularies.codes("jeqf_levels")
        if isinstance(level, bool) or not isinstance(level, int) or str(level) not in allowed:
            problems.append(
                Problem(f"{path}.jeqf", NOT_A_JEQF_LEVEL, {"allowed": ", ".join(allowed)})
            )
    return problems + check_optional_localised_text(value, "description", path)


def render_jeqf(value, lang, vocabularies):
    if "jeqf" not in value:
        return ""
    code = str(value["jeqf"])
    term = vocabularies.term("jeqf_levels", code)
    return term.label(lang) if term else in_language(lang, JEQF_LEVEL, {"level": code})


def render_level(value, lang, vocabularies):
    return join_clauses(
        [render_jeqf(value, lang, vocabularies), localised(value.get("description"), lang)], lang
    )


def check_certification(value, path, vocabularies):
    problems = check_fields(value, path, required=("types",), optional=("note",))
    if problems is None:
        return [Problem(path, MUST_BE_OBJECT)]
    if "types" in value:
        problems += check_code_list(
            value["types"], f"{path}.types", vocabularies, "certification_types"
        )
    return problems + check_optional_localised_text(value, "note", path)


def render_certification(value, lang, vocabularies):
    types = join_parts(
        (vocabularies.label("certification_types", code, lang) for code in value["types"]), lang
    )
    return join_clauses([types, _note(value, lang)], lang)


def check_stackability(value, path, vocabularies):
    problems = check_fields(value, path, required=("description",), optional=("pattern",))
    if problems is None:
        return [Problem(path, MUST_BE_OBJECT)]
    if "pattern" in value:
        problems += check_code(
            value["pattern"], f"{path}.pattern", vocabularies, "stacking_patterns"
        )
    if "description" in value:
        problems += check_localised_text(value["description"], f"{path}.description")
    return problems


def render_stackability(value, lang, vocabularies):
    description = localised(value.get("description"), lang)
    if "pattern" not in value:
        return description
    pattern = vocabularies.label("stacking_patterns", value["pattern"], lang)
    return f"{pattern}：{description}" if lang == "ja" else f"{pattern}: {description}"


FORM_OF_PARTICIPATION = ValueType(
    name="form_of_participation",
    check=check_form_of_participation,
    render=render_form_of_participation,
)
LEARNER_EFFORT = ValueType(
    name="learner_effort",
    check=check_learner_effort,
    render=render_learner_effort,
    facets={"total_hours": render_total_hours, "contact_hours": render_contact_hours},
)
LEVEL = ValueType(
    name="level",
    check=check_level,
    render=render_level,
    facets={
        "jeqf": render_jeqf,
        "description": lambda value, lang, vocabularies: localised(value.get("description"), lang),
    },
)
CERTIFICATION = ValueType(
    name="certification", check=check_certification, render=render_certification
)
STACKABILITY = ValueType(name="stackability", check=check_stackability, render=render_stackability)
