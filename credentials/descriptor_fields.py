"""The form fields of one framework descriptor, generated from its value type's editor.

frameworks/value_types/editors.py says which controls a value type has; this module turns them
into Django form fields, reads them back into the descriptor value, and puts the value type's
problems on the fields they are about, in words a registrar reads: the field's label and the
allowed values by their labels, never a path or a code.

Field names: d-<key> for a control at the value itself, d-<key>-<path> for one inside it,
d-<key>-<rows>-<n>-<path> for a control in row n, and -ja / -en after a text control's name.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from frameworks.i18n import current_lang, in_language
from frameworks.value_types import value_type_for
from frameworks.value_types.base import DUPLICATE_CODE, UNKNOWN_CODE
from frameworks.value_types.editors import (
    CODE,
    CODES,
    COUNTRY,
    EXAMPLES,
    FLAG,
    LANGUAGES,
    LEVEL,
    LONG_TEXT,
    NUMBER,
    TEXT,
    URI,
    Control,
    Rows,
    assemble,
    assemble_row,
    editor_for,
    place_of,
    split,
)
from frameworks.value_types.learning import NOT_A_JEQF_LEVEL
from frameworks.value_types.places import language_name

from .descriptor_choices import COMMON_LANGUAGES, country_choices

TEMPLATE_INDEX = "__prefix__"
CHOOSE_FROM = _("choose one of: %(allowed)s")
LISTED_TWICE = _("“%(label)s” is chosen twice")
SINGLE_LINE_KEYS = {"title"}
RADIO_LIMIT = 5


def _slot(path: str) -> str:
    return path.replace(".", "__")


class DescriptorEditor:
    """The controls of one descriptor: its form fields, their initial values and its value."""

    def __init__(self, descriptor, vocabularies, *, data=None, value=None):
        self.descriptor = descriptor
        self.key = descriptor.key
        self.vocabularies = vocabularies
        self.editor = editor_for(descriptor.value_type)
        if self.editor is None:
            raise ValueError(f"value type {descriptor.value_type!r} has no editor")
        self.entries, self.row_entries = split(self.editor, value)
        self.row_indices = {
            part.path: self._indices(part, data)
            for part in self.editor.parts
            if isinstance(part, Rows)
        }
        self._labels: dict[str, str] = {}
        self._kept_rows: dict[str, list[int]] = {}

    # Names

    def base(self, path: str = "", rows: Rows | None = None, index=None) -> str:
        name = f"d-{self.key}"
        if rows is not None:
            name += f"-{_slot(rows.path) or 'items'}-{index}"
        return f"{name}-{_slot(path)}" if path else name

    def names(self, control: Control, rows=None, index=None) -> list[str]:
        base = self.base(control.path, rows, index)
        if control.kind in (TEXT, LONG_TEXT):
            return [f"{base}-ja", f"{base}-en"]
        if control.kind == LANGUAGES:
            return [base, f"{base}-other"]
        return [base]

    def _indices(self, rows: Rows, data) -> list[int]:
        if data is None:
            return list(range(max(1, len(self.row_entries.get(rows.path, [])))))
        prefix = re.escape(f"d-{self.key}-{_slot(rows.path) or 'items'}-")
        pattern = re.compile(rf"^{prefix}(\d{{1,3}})-")
        return sorted({int(m.group(1)) for name in data for m in [pattern.match(name)] if m})

    # Fields

    @property
    def label(self) -> str:
        return self.descriptor.label

    @property
    def example(self):
        return EXAMPLES.get(self.key, "")

    def _terms(self, control: Control):
        terms = self.vocabularies.terms(control.vocabulary)
        return [t for t in terms if control.term_filter is None or control.term_filter(t)]

    def _fields_of(self, control: Control, rows=None, index=None) -> dict[str, forms.Field]:
        names = self.names(control, rows, index)
        label = control.label
        if control.kind in (TEXT, LONG_TEXT):
            long = control.kind == LONG_TEXT and self.key not in SINGLE_LINE_KEYS
            widget = (lambda: forms.Textarea(attrs={"rows": 3})) if long else forms.TextInput
            return {
                names[0]: forms.CharField(label=_("Japanese"), required=False, widget=widget()),
                names[1]: forms.CharField(label=_("English"), required=False, widget=widget()),
            }
        if control.kind == CODES:
            choices = [(t.code, t.label()) for t in self._terms(control)]
            return {
                names[0]: forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                )
            }
        if control.kind in (CODE, LEVEL):
            terms = self._terms(control)
            radios = rows is None and control.kind == CODE and len(terms) <= RADIO_LIMIT
            blank = _("Not specified") if radios else "―"
            field_class = forms.TypedChoiceField if control.kind == LEVEL else forms.ChoiceField
            extra = {"coerce": int, "empty_value": None} if control.kind == LEVEL else {}
            return {
                names[0]: field_class(
                    label=label,
                    required=False,
                    choices=[("", blank), *((t.code, t.label()) for t in terms)],
                    widget=forms.RadioSelect if radios else forms.Select,
                    **extra,
                )
            }
        if control.kind == NUMBER:
            attrs = {"min": "0", "step": "any", "class": "mc-number"}
            if control.example:
                attrs["placeholder"] = control.example
            return {
                names[0]: forms.FloatField(
                    label=label, required=False, widget=forms.NumberInput(attrs=attrs)
                )
            }
        if control.kind == FLAG:
            return {names[0]: forms.BooleanField(label=label, required=False)}
        if control.kind == URI:
            attrs = {"placeholder": control.example} if control.example else {}
            return {
                names[0]: forms.URLField(
                    label=label,
                    required=False,
                    max_length=500,
                    assume_scheme="https",
                    widget=forms.URLInput(attrs=attrs),
                )
            }
        if control.kind == COUNTRY:
            return {
                names[0]: forms.ChoiceField(
                    label=label, required=False, choices=[("", "―"), *country_choices()]
                )
            }
        if control.kind == LANGUAGES:
            return {
                names[0]: forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    choices=[(tag, language_name(tag, current_lang())) for tag in COMMON_LANGUAGES],
                    widget=forms.CheckboxSelectMultiple,
                ),
                names[1]: forms.CharField(
                    label=_("Other languages (BCP 47 tags, e.g. fr, pt-BR)"), required=False
                ),
            }
        raise ValueError(f"unknown control kind {control.kind!r}")

    def fields(self) -> dict[str, forms.Field]:
        result: dict[str, forms.Field] = {}
        for part in self.editor.parts:
            if isinstance(part, Rows):
                for number, index in enumerate(self.row_indices[part.path], start=1):
                    row = str(part.row_label) % {"number": number}
                    for control in part.controls:
                        made = self._fields_of(control, part, index)
                        self._label(made, self.label, row, control.label)
                        result.update(made)
            else:
                made = self._fields_of(part)
                self._label(made, self.label, part.label if part.path else "")
                result.update(made)
        return result

    def _label(self, fields: dict, *parts) -> None:
        text = " › ".join(str(part) for part in parts if part)
        self._labels.update(dict.fromkeys(fields, text))

    def template_fields(self, rows: Rows) -> dict[str, forms.Field]:
        """A blank row's fields, numbered __prefix__, for the page to copy when adding a row."""
        result: dict[str, forms.Field] = {}
        for control in rows.controls:
            result.update(self._fields_of(control, rows, TEMPLATE_INDEX))
        return result

    # Values

    def _initial_of(self, control: Control, entry, rows=None, index=None) -> dict:
        names = self.names(control, rows, index)
        if entry is None:
            return {}
        if control.kind in (TEXT, LONG_TEXT):
            entry = entry if isinstance(entry, dict) else {}
            return {names[0]: entry.get("ja", ""), names[1]: entry.get("en", "")}
        if control.kind == LANGUAGES:
            tags = [tag for tag in entry if isinstance(tag, str)] if isinstance(entry, list) else []
            return {
                names[0]: [tag for tag in tags if tag in COMMON_LANGUAGES],
                names[1]: ", ".join(tag for tag in tags if tag not in COMMON_LANGUAGES),
            }
        if control.kind == LEVEL:
            return {names[0]: str(entry)}
        return {names[0]: entry}

    def initial(self) -> dict:
        result: dict = {}
        for part in self.editor.parts:
            if isinstance(part, Rows):
                for index, row in enumerate(self.row_entries.get(part.path, [])):
                    for control in part.controls:
                        result.update(self._initial_of(control, row.get(control.path), part, index))
            else:
                result.update(self._initial_of(part, self.entries.get(part.path)))
        return result

    def _entry_of(self, control: Control, data: dict, rows=None, index=None):
        names = self.names(control, rows, index)
        if control.kind in (TEXT, LONG_TEXT):
            return {"ja": data.get(names[0]) or "", "en": data.get(names[1]) or ""}
        if control.kind == LANGUAGES:
            others = re.split(r"[\s,、，]+", data.get(names[1]) or "")
            return [*(data.get(names[0]) or []), *(tag for tag in others if tag)]
        return data.get(names[0])

    def value(self, data: dict):
        """The descriptor value from cleaned data, or None when nothing was entered."""
        entries = {
            part.path: self._entry_of(part, data)
            for part in self.editor.parts
            if isinstance(part, Control)
        }
        rows: dict = {}
        for part in (p for p in self.editor.parts if isinstance(p, Rows)):
            kept = []
            for index in self.row_indices[part.path]:
                row = {c.path: self._entry_of(c, data, part, index) for c in part.controls}
                if assemble_row(part.controls, row) is not None:
                    kept.append((index, row))
            self._kept_rows[part.path] = [index for index, _row in kept]
            rows[part.path] = [row for _index, row in kept]
        return assemble(self.editor, entries, rows)

    # Problems

    def problems(self, value) -> list[tuple[str | None, str]]:
        """(field name or None, message in the active language) for each problem of `value`."""
        lang = current_lang()
        found = []
        for problem in value_type_for(self.key).check(value, self.key, self.vocabularies):
            place = place_of(self.editor, problem.path[len(self.key) :])
            name = None
            if place.control is not None:
                index = None
                if place.rows is not None and place.index is not None:
                    kept = self._kept_rows.get(place.rows.path, [])
                    index = kept[place.index] if place.index < len(kept) else None
                if place.rows is None or index is not None:
                    name = self.names(place.control, place.rows, index)[0]
            found.append((name, self._message(problem, place.control, lang)))
        return found

    def _message(self, problem, control, lang) -> str:
        params = dict(problem.params)
        if control is not None and control.vocabulary:
            labels = {t.code: t.label(lang) for t in self._terms(control)}
            if problem.message in (UNKNOWN_CODE, NOT_A_JEQF_LEVEL):
                return in_language(lang, CHOOSE_FROM, {"allowed": "、".join(labels.values())})
            if problem.message == DUPLICATE_CODE:
                label = labels.get(params.get("code"), params.get("code"))
                return in_language(lang, LISTED_TWICE, {"label": label})
        return problem.message_in(lang)

    @property
    def labels(self) -> dict[str, str]:
        """Field name -> "学習量 › 総学習時間", for the error summary."""
        return dict(self._labels)

    def layout(self, form) -> list[dict]:
        """The descriptor's parts with their bound fields, in order, for the template."""
        parts = []
        for part in self.editor.parts:
            if isinstance(part, Rows):
                rows = [
                    {
                        "number": number,
                        "controls": [
                            (c, [form[n] for n in self.names(c, part, index)])
                            for c in part.controls
                        ],
                    }
                    for number, index in enumerate(self.row_indices[part.path], start=1)
                ]
                blank = forms.Form(auto_id=form.auto_id)
                blank.fields = self.template_fields(part)
                template = [
                    (c, [blank[n] for n in self.names(c, part, TEMPLATE_INDEX)])
                    for c in part.controls
                ]
                parts.append(
                    {
                        "rows": part,
                        "items": rows,
                        "template": template,
                        "prefix": f"d-{self.key}-{_slot(part.path) or 'items'}",
                        "next_index": max(self.row_indices[part.path], default=-1) + 1,
                    }
                )
            else:
                parts.append({"control": part, "fields": [form[n] for n in self.names(part)]})
        return parts
