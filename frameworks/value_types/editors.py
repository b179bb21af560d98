"""How each value type is edited by a person: its controls, generated from the shape itself.

A value type says what a value looks like (base.py and its neighbours); its `Editor` says which
inputs a staff member fills in to make one: checkboxes for a list of vocabulary codes, a number
with its unit, repeatable rows for assessment methods. The editor knows nothing about HTML or
Django forms (credentials/descriptor_fields.py turns controls into form fields); it only maps
between a value and the flat entries of its controls, so a new framework version or descriptor
that reuses a value type brings its editor with it.

    >>> EDITORS["learner_effort"].controls[0].path
    'total_hours'
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from .base import LOCALISED_TEXT_LANGUAGES, format_number

# Kinds of control. A control of kind TEXT edits {"ja": …, "en": …}; the others edit one scalar.
TEXT = "text"  # localised text, one line each
LONG_TEXT = "long_text"  # localised text, a paragraph each
CODES = "codes"  # several codes of a vocabulary: checkboxes
CODE = "code"  # one code of a vocabulary: a select (or radios when short)
LEVEL = "level"  # a JEQF level: a select of the level names, stored as an integer
NUMBER = "number"  # a positive number with a unit
FLAG = "flag"  # true/false: a checkbox
URI = "uri"  # an absolute http(s) URI
COUNTRY = "country"  # an ISO 3166-1 alpha-2 code: a select of country names
LANGUAGES = "languages"  # BCP 47 tags: checkboxes of common languages plus others typed in

HOURS = _("hours")


@dataclass(frozen=True)
class Control:
    """One input of an editor, bound to `path` inside the value ("" is the value itself;
    "internal.standard" a field of a field)."""

    path: str
    kind: str
    label: Any
    vocabulary: str = ""
    unit: Any = ""
    example: Any = ""
    # Narrows a vocabulary to the terms that fit here (external QA bodies are not "internal").
    term_filter: Callable[[Any], bool] | None = None

    @property
    def is_text(self) -> bool:
        return self.kind in (TEXT, LONG_TEXT)


@dataclass(frozen=True)
class Rows:
    """A repeatable list at `path`, one row per item, each row edited by `controls`. When a row
    is itself the item (a learning outcome is a localised text), its control's path is ""."""

    path: str
    label: Any
    controls: tuple[Control, ...]
    add_label: Any
    row_label: Any


@dataclass(frozen=True)
class Editor:
    parts: tuple[Control | Rows, ...]

    @property
    def controls(self) -> tuple[Control, ...]:
        return tuple(part for part in self.parts if isinstance(part, Control))


def _is_external(term) -> bool:
    return term.data.get("scope") == "external"


NOTE = Control("note", LONG_TEXT, _("Note"))

EDITORS: Mapping[str, Editor] = {
    "localised_text": Editor((Control("", LONG_TEXT, _("Text")),)),
    "localised_text_list": Editor(
        (
            Rows(
                "",
                _("Items"),
                (Control("", LONG_TEXT, _("Text")),),
                add_label=_("Add an item"),
                row_label=_("Item %(number)s"),
            ),
        )
    ),
    "country_code": Editor((Control("", COUNTRY, _("Country or region")),)),
    "language_tags": Editor((Control("", LANGUAGES, _("Languages of instruction")),)),
    "form_of_participation": Editor(
        (
            Control("modes", CODES, _("Mode of delivery"), vocabulary="participation_modes"),
            Control("synchronicity", CODES, _("Timing"), vocabulary="synchronicity"),
            NOTE,
        )
    ),
    "learner_effort": Editor(
        (
            Control("total_hours", NUMBER, _("Total learning hours"), unit=HOURS, example="90"),
            Control("contact_hours", NUMBER, _("Of which contact hours"), unit=HOURS, example="30"),
            NOTE,
        )
    ),
    "type_of_assessment": Editor(
        (
            Rows(
                "methods",
                _("Assessment methods"),
                (
                    Control("type", CODE, _("Method"), vocabulary="assessment_types"),
                    Control("supervised", FLAG, _("Supervised")),
                    Control("identity_verified", FLAG, _("Identity verified")),
                    Control("description", TEXT, _("Description")),
                ),
                add_label=_("Add an assessment method"),
                row_label=_("Method %(number)s"),
            ),
            NOTE,
        )
    ),
    "quality_assurance": Editor(
        (
            Control("internal.standard", TEXT, _("Internal quality-assurance standard")),
            Control(
                "internal.uri",
                URI,
                _("URL describing the internal standard"),
                example="https://www.example.ac.jp/about/quality-assurance",
            ),
            Rows(
                "external",
                _("External quality assurance"),
                (
                    Control(
                        "type",
                        CODE,
                        _("Kind"),
                        vocabulary="quality_assurance_types",
                        term_filter=_is_external,
                    ),
                    Control("body", TEXT, _("Body")),
                    Control("uri", URI, _("URL"), example="https://www.niad.ac.jp/"),
                ),
                add_label=_("Add an external quality assurance"),
                row_label=_("External quality assurance %(number)s"),
            ),
        )
    ),
    "level": Editor(
        (
            Control("jeqf", LEVEL, _("JEQF level"), vocabulary="jeqf_levels"),
            Control("description", TEXT, _("Description of the level")),
        )
    ),
    "certification": Editor(
        (
            Control("types", CODES, _("Kinds of certificate"), vocabulary="certification_types"),
            NOTE,
        )
    ),
    "credit_recognition": Editor(
        (
            Rows(
                "credits",
                _("Credits"),
                (
                    Control("system", CODE, _("Credit system"), vocabulary="credit_systems"),
                    Control("value", NUMBER, _("Credits"), example="2"),
                ),
                add_label=_("Add credits in another system"),
                row_label=_("Credits %(number)s"),
            ),
            Control("recognition", LONG_TEXT, _("Other recognition")),
        )
    ),
    "stackability": Editor(
        (
            Control("pattern", CODE, _("Stacking pattern"), vocabulary="stacking_patterns"),
            Control("description", LONG_TEXT, _("Description")),
        )
    ),
}

# A short example for each canonical key, shown beside the descriptor's help text.
EXAMPLES: Mapping[str, Any] = {
    "title": _("e.g. Foundations of Data Science"),
    "content": _("e.g. From the basics of statistics to analysing real data."),
    "learning_outcomes": _("e.g. Explain and apply basic methods of descriptive statistics."),
    "form_of_participation": _("e.g. blended; synchronous and asynchronous"),
    "language": _("e.g. Japanese and English"),
    "learner_effort": _("e.g. 90 hours in total, 30 of them in class"),
    "type_of_assessment": _("e.g. written exam, supervised with identity verification"),
    "quality_assurance": _("e.g. the university's internal QA policy, with its URL"),
    "level": _("e.g. JEQF level 6 (bachelor's)"),
    "certification": _("e.g. digital badge and 履修証明書"),
    "credit_recognition": _("e.g. 2 credits under the 大学設置基準"),
    "prerequisites": _("e.g. upper-secondary mathematics"),
    "stackability": _("e.g. part of a 12-credit minor"),
    "country_region": _("e.g. Japan"),
}


def editor_for(value_type: str) -> Editor | None:
    return EDITORS.get(value_type)


# Between a value and its controls' entries. An entry of a TEXT control is {"ja": …, "en": …};
# of CODES and LANGUAGES a list; of FLAG a bool; of NUMBER and LEVEL a number; else a string.


def read_path(value, path: str):
    """The part of `value` at a dotted `path` ("" is the value itself), or None."""
    for name in path.split(".") if path else ():
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def _write_path(target: dict, path: str, entry) -> None:
    *parents, last = path.split(".")
    for name in parents:
        target = target.setdefault(name, {})
    target[last] = entry


def is_blank(entry) -> bool:
    if isinstance(entry, dict):
        return not any(isinstance(text, str) and text.strip() for text in entry.values())
    if isinstance(entry, str):
        return not entry.strip()
    return entry in (None, [], False)


def clean_entry(control: Control, entry):
    """The entry as the value stores it: trimmed texts without empty languages, whole numbers
    as integers (90, not 90.0)."""
    if control.is_text:
        return {
            lang: entry[lang].strip()
            for lang in LOCALISED_TEXT_LANGUAGES
            if isinstance(entry, dict) and isinstance(entry.get(lang), str) and entry[lang].strip()
        }
    if control.kind == NUMBER and entry is not None:
        number = float(entry)
        return int(number) if number.is_integer() else number
    if isinstance(entry, str):
        return entry.strip()
    return entry


def assemble_row(controls: tuple[Control, ...], entries: dict):
    """One row's item from its controls' entries, or None when nothing was entered. A FLAG
    alone does not make a row (an unticked box is still "entered")."""
    if all(is_blank(entries.get(c.path)) or c.kind == FLAG for c in controls):
        return None
    if len(controls) == 1 and controls[0].path == "":
        return clean_entry(controls[0], entries.get(""))
    item: dict = {}
    for control in controls:
        entry = entries.get(control.path)
        if control.kind == FLAG:
            item[control.path] = bool(entry)
        elif not is_blank(entry):
            _write_path(item, control.path, clean_entry(control, entry))
    return item


def assemble(editor: Editor, entries: dict, rows: dict):
    """The value from entries by control path and rows by Rows path ([{control path: entry}]),
    or None when nothing at all was entered (the descriptor is then left out)."""
    if editor.parts and isinstance(editor.parts[0], Rows) and editor.parts[0].path == "":
        part = editor.parts[0]
        items = [assemble_row(part.controls, row) for row in rows.get("", [])]
        return [item for item in items if item is not None] or None
    if len(editor.parts) == 1 and isinstance(editor.parts[0], Control) and not editor.parts[0].path:
        control = editor.parts[0]
        entry = entries.get("")
        return None if is_blank(entry) else clean_entry(control, entry)
    value: dict = {}
    for part in editor.parts:
        if isinstance(part, Rows):
            items = [assemble_row(part.controls, row) for row in rows.get(part.path, [])]
            items = [item for item in items if item is not None]
            if items:
                _write_path(value, part.path, items)
        elif not is_blank(entries.get(part.path)):
            _write_path(value, part.path, clean_entry(part, entries[part.path]))
    return value or None


def split(editor: Editor, value) -> tuple[dict, dict]:
    """The reverse of assemble(): (entries by control path, rows by Rows path)."""
    entries: dict = {}
    rows: dict = {}
    for part in editor.parts:
        if isinstance(part, Rows):
            items = read_path(value, part.path)
            rows[part.path] = [
                {control.path: read_path(item, control.path) for control in part.controls}
                for item in (items if isinstance(items, list) else [])
            ]
        else:
            entries[part.path] = read_path(value, part.path)
    return entries, rows


def number_text(value) -> str:
    return format_number(value) if isinstance(value, int | float) else ""


@dataclass(frozen=True)
class ProblemPlace:
    """Where a value type's problem path points in an editor: a control, maybe inside a row."""

    rows: Rows | None = None
    index: int | None = None
    control: Control | None = None
    extra: dict = field(default_factory=dict)


def place_of(editor: Editor, relative_path: str) -> ProblemPlace:
    """Which control a problem at `relative_path` (after the descriptor key, e.g.
    ".methods[0].type", "[2]", ".internal.uri") is about; an empty place means the value."""
    path = relative_path.lstrip(".")
    for part in editor.parts:
        if isinstance(part, Rows):
            prefix = part.path
            if prefix and not path.startswith(prefix):
                continue
            rest = path[len(prefix) :]
            if not rest.startswith("["):
                if rest == "" and prefix:
                    return ProblemPlace(rows=part)
                continue
            index_text, _bracket, inner = rest[1:].partition("]")
            if not index_text.isdigit():
                continue
            inner = inner.lstrip(".")
            control = next(
                (c for c in part.controls if inner == c.path or inner.startswith(c.path + ".")),
                None,
            )
            if control is None:
                control = next((c for c in part.controls if c.path == ""), None)
            return ProblemPlace(rows=part, index=int(index_text), control=control)
    for control in editor.controls:
        if path == control.path or (path.startswith(control.path + ".") and control.path):
            return ProblemPlace(control=control)
        if control.kind in (CODES, LANGUAGES) and path.startswith(control.path + "["):
            return ProblemPlace(control=control)
    if len(editor.controls) == 1 and not editor.controls[0].path:
        return ProblemPlace(control=editor.controls[0])
    return ProblemPlace()
