"""The programme editor's form: descriptors as real controls, award settings, the stack.

Each descriptor's fields come from its value type's editor (credentials/descriptor_fields.py);
the form checks each value with the value type and puts each problem on the field it is about,
so what was typed is kept and the error names the field by its label.
"""

from django import forms
from django.db.models import Case, When
from django.utils.translation import gettext_lazy as _

from issuers.selectors import agreement_partners

from .descriptor_fields import DescriptorEditor
from .models import Programme


def _label_with_issuer(programme) -> str:
    return f"{programme} — {programme.issuer.name_ja}"


class ProgrammeEditorForm(forms.Form):
    """A programme version's descriptors, grouped as the framework groups them, and its settings.

    `groups` is [(group, [descriptor, …]), …] of the framework's programme-sourced descriptors;
    `vocabularies` the framework's VocabularyIndex.
    """

    issuer = forms.ModelChoiceField(queryset=None, label=_("Issuer"))
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=80,
        help_text=_("Used in URLs; letters, digits and hyphens, e.g. ds-foundations."),
    )
    criteria_ja = forms.CharField(
        label=_("Criteria (Japanese)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    criteria_en = forms.CharField(
        label=_("Criteria (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    validity_months = forms.IntegerField(
        label=_("Validity (months)"),
        required=False,
        min_value=1,
        max_value=1200,
        help_text=_("Awards expire this many months after issue. Empty: they do not expire."),
    )
    auto_issue_stack = forms.BooleanField(
        label=_("Issue automatically when the stack is complete"), required=False
    )
    badge_image = forms.FileField(
        label=_("Badge image"),
        required=False,
        help_text=_("PNG or SVG, at most 1 MB. Empty: a design with the title is generated."),
    )
    clear_badge_image = forms.BooleanField(
        label=_("Use the generated design instead of the uploaded image"), required=False
    )
    stack_required = forms.ModelMultipleChoiceField(
        queryset=Programme.objects.none(),
        required=False,
        label=_("Required programmes (stack)"),
        help_text=_("Learners who hold these earn this programme too."),
        widget=forms.CheckboxSelectMultiple,
    )
    stack_min_count = forms.IntegerField(
        label=_("How many of them are needed"),
        required=False,
        min_value=1,
        help_text=_("Empty: all of them."),
    )

    def __init__(self, *args, groups, issuers, vocabularies, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        version = programme.latest_version if programme else None
        stored = version.descriptors if version else {}
        data = self.data if self.is_bound else None
        self.editor_groups = [
            (
                group,
                [
                    DescriptorEditor(d, vocabularies, data=data, value=stored.get(d.key))
                    for d in descriptors
                ],
            )
            for group, descriptors in groups
        ]
        for editor in self.editors:
            self.fields.update(editor.fields())
            self.initial.update(editor.initial())
        self.descriptor_values: dict = {}
        self.descriptor_errors: dict[str, list[str]] = {}
        self.fields["issuer"].queryset = issuers
        if programme is not None:
            # The issuer and slug identify the programme; they are fixed once it exists.
            del self.fields["issuer"], self.fields["slug"]
            self.initial.update(
                criteria_ja=version.criteria_ja,
                criteria_en=version.criteria_en,
                validity_months=version.validity_months,
                auto_issue_stack=version.auto_issue_stack,
            )
            # Its own issuer's programmes and those of issuers with an agreement in force.
            partners = agreement_partners(programme.issuer) | {programme.issuer_id}
            self.fields["stack_required"].queryset = (
                Programme.objects.filter(issuer_id__in=partners)
                .exclude(pk=programme.pk)
                .select_related("issuer")
                .order_by(Case(When(issuer=programme.issuer, then=0), default=1), "slug")
            )
            if len(partners) > 1:
                self.fields["stack_required"].label_from_instance = _label_with_issuer
            requirement = getattr(programme, "stack_requirement", None)
            if requirement is not None:
                self.initial.update(
                    stack_required=list(requirement.required.all()),
                    stack_min_count=requirement.min_count,
                )
        else:
            del self.fields["stack_required"], self.fields["stack_min_count"]
            del self.fields["clear_badge_image"]
            if issuers.count() == 1:
                self.initial["issuer"] = issuers.first()

    @property
    def editors(self) -> list[DescriptorEditor]:
        return [editor for _group, editors in self.editor_groups for editor in editors]

    def clean(self):
        data = super().clean()
        for editor in self.editors:
            value = editor.value(data)
            self.descriptor_values[editor.key] = value
            if value is None:
                continue
            for name, message in editor.problems(value):
                if name in self.fields:
                    self.add_error(name, message)
                else:
                    self.descriptor_errors.setdefault(editor.key, []).append(message)
                    self.add_error(None, f"{editor.label}: {message}")
        return data

    def descriptors(self, existing: dict | None = None) -> dict:
        """The descriptors object: the existing one with the framework's fields replaced."""
        result = dict(existing or {})
        for editor in self.editors:
            value = self.descriptor_values.get(editor.key)
            if value is None:
                result.pop(editor.key, None)
            else:
                result[editor.key] = value
        return result

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor, what, message) for every error, in the order of the page."""
        labels = {}
        for editor in self.editors:
            labels.update(editor.labels)
        summary = []
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                summary.append((f"id_{name}", labels.get(name) or str(field.label), message))
        for message in self.non_field_errors():
            summary.append(("", "", message))
        return summary

    def version_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "criteria_ja": data["criteria_ja"],
            "criteria_en": data["criteria_en"],
            "validity_months": data["validity_months"],
            "auto_issue_stack": data["auto_issue_stack"],
            "badge_image": data["badge_image"] or None,
        }
        if data.get("clear_badge_image"):
            fields["badge_image"] = ""
        return fields
