"""Staff forms. They translate between HTML and the services; they write nothing themselves."""

import json
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Assessment, Learner, LearnerEnrolment, Programme, normalise_email

MAX_IMPORT_BYTES = 20 * 1024 * 1024

# How a descriptor's value type is edited; anything not listed is edited as JSON.
TEXT_TYPES = {"localised_text", "localised_text_list"}


class DescriptorJSONField(forms.JSONField):
    """A structured descriptor value as indented JSON, so that it is editable by hand."""

    def prepare_value(self, value):
        if isinstance(value, str):  # invalid input being shown again, or already text
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


def _field_name(key: str, part: str = "") -> str:
    return f"d__{key}__{part}" if part else f"d__{key}"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines()]


def _localised(ja: str, en: str) -> dict:
    return {lang: text.strip() for lang, text in (("ja", ja), ("en", en)) if text and text.strip()}


class DescriptorFields:
    """The form fields of one framework descriptor, and the JSON value they stand for."""

    def __init__(self, descriptor):
        self.descriptor = descriptor
        self.key = descriptor.key
        self.value_type = descriptor.value_type

    @property
    def label(self) -> str:
        return self.descriptor.label

    def fields(self) -> dict[str, forms.Field]:
        help_text = self.descriptor.help
        if self.value_type == "localised_text":
            widget = forms.TextInput if self.key == "title" else forms.Textarea(attrs={"rows": 3})
            return {
                _field_name(self.key, "ja"): forms.CharField(
                    label=_("Japanese"), required=False, widget=widget, help_text=help_text
                ),
                _field_name(self.key, "en"): forms.CharField(
                    label=_("English"), required=False, widget=widget
                ),
            }
        if self.value_type == "localised_text_list":
            widget = forms.Textarea(attrs={"rows": 4})
            return {
                _field_name(self.key, "ja"): forms.CharField(
                    label=_("Japanese (one per line)"),
                    required=False,
                    widget=widget,
                    help_text=help_text,
                ),
                _field_name(self.key, "en"): forms.CharField(
                    label=_("English (one per line, in the same order)"),
                    required=False,
                    widget=widget,
                ),
            }
        if self.value_type == "country_code":
            return {
                _field_name(self.key): forms.CharField(
                    label=_("Country code (ISO 3166-1, e.g. JP)"),
                    required=False,
                    max_length=2,
                    help_text=help_text,
                )
            }
        if self.value_type == "language_tags":
            return {
                _field_name(self.key): forms.CharField(
                    label=_("Language tags (BCP 47, comma-separated, e.g. ja, en)"),
                    required=False,
                    help_text=help_text,
                )
            }
        return {
            _field_name(self.key): DescriptorJSONField(
                label=_("Value (JSON)"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField json"}),
                help_text=help_text,
            )
        }

    def initial(self, value) -> dict:
        if value is None:
            return {}
        if self.value_type == "localised_text" and isinstance(value, dict):
            return {_field_name(self.key, lang): value.get(lang, "") for lang in ("ja", "en")}
        if self.value_type == "localised_text_list" and isinstance(value, list):
            return {
                _field_name(self.key, lang): "\n".join(
                    item.get(lang, "") if isinstance(item, dict) else str(item) for item in value
                )
                for lang in ("ja", "en")
            }
        if self.value_type == "language_tags" and isinstance(value, list):
            return {_field_name(self.key): ", ".join(map(str, value))}
        if self.value_type == "country_code":
            return {_field_name(self.key): value}
        return {_field_name(self.key): value}  # DescriptorJSONField renders it as JSON

    def value(self, data: dict):
        """The descriptor value from cleaned data, or None when nothing was entered."""
        if self.value_type == "localised_text":
            value = _localised(data[_field_name(self.key, "ja")], data[_field_name(self.key, "en")])
            return value or None
        if self.value_type == "localised_text_list":
            ja, en = (_lines(data[_field_name(self.key, lang)]) for lang in ("ja", "en"))
            items = [
                _localised(ja[i] if i < len(ja) else "", en[i] if i < len(en) else "")
                for i in range(max(len(ja), len(en)))
            ]
            return [item for item in items if item] or None
        raw = data[_field_name(self.key)]
        if self.value_type == "country_code":
            return raw.strip().upper() or None
        if self.value_type == "language_tags":
            return [tag for tag in re.split(r"[\s,、]+", raw) if tag] or None
        return raw if raw not in (None, "", [], {}) else None


class ProgrammeEditorForm(forms.Form):
    """A programme version's descriptors, grouped as the framework groups them, and its settings.

    `groups` is [(group, [descriptor, …]), …] of the framework's programme-sourced descriptors.
    """

    issuer = forms.ModelChoiceField(queryset=None, label=_("Issuer"))
    slug = forms.SlugField(
        label=_("Slug"), max_length=80, help_text=_("Used in URLs; letters, digits and hyphens.")
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

    def __init__(self, *args, groups, issuers, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.descriptor_fields = [
            (group, [DescriptorFields(descriptor) for descriptor in descriptors])
            for group, descriptors in groups
        ]
        version = programme.latest_version if programme else None
        descriptors = version.descriptors if version else {}
        for _group, entries in self.descriptor_fields:
            for entry in entries:
                self.fields.update(entry.fields())
                self.initial.update(entry.initial(descriptors.get(entry.key)))
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
            self.fields["stack_required"].queryset = Programme.objects.filter(
                issuer=programme.issuer
            ).exclude(pk=programme.pk)
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

    def grouped(self):
        """[(group, [(entry, [bound fields])])] for the template."""
        return [
            (
                group,
                [(entry, [self[name] for name in entry.fields()]) for entry in entries],
            )
            for group, entries in self.descriptor_fields
        ]

    def descriptors(self, existing: dict | None = None) -> dict:
        """The descriptors object: the existing one with the framework's fields replaced."""
        result = dict(existing or {})
        for _group, entries in self.descriptor_fields:
            for entry in entries:
                value = entry.value(self.cleaned_data)
                if value is None:
                    result.pop(entry.key, None)
                else:
                    result[entry.key] = value
        return result

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


class AssessmentRowForm(forms.Form):
    """One learner's row in the assessment grid. Existing learners carry their id."""

    learner_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"placeholder": _("E-mail")}),
    )
    name_ja = forms.CharField(label=_("Name (Japanese)"), required=False, max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), required=False, max_length=200)
    student_number = forms.CharField(label=_("Student number"), required=False, max_length=64)
    result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", "―"), *Assessment.Result.choices],
    )
    score = forms.DecimalField(
        label=_("Score"), required=False, min_value=0, max_digits=7, decimal_places=2
    )
    grade = forms.CharField(label=_("Grade"), required=False, max_length=32)
    assessed_on = forms.DateField(
        label=_("Assessed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label=_("Assessment method"), required=False)
    evidence_url = forms.URLField(
        label=_("Evidence URL"), required=False, max_length=500, assume_scheme="https"
    )

    ENTERED_FIELDS = (
        "learner_id", "email", "name_ja", "name_en", "student_number", "result", "score",
        "grade", "assessed_on", "evidence_url",
    )  # fmt: skip

    def __init__(self, *args, methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = list(methods)

    @property
    def is_blank(self) -> bool:
        # A row with nothing typed in; the method select has a default, so it does not count.
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in self.ENTERED_FIELDS)

    def clean(self):
        data = super().clean()
        if self.is_blank:
            return data
        if not data.get("result"):
            self.add_error("result", _("Choose pass or fail."))
        if not data.get("assessed_on"):
            self.add_error("assessed_on", _("Enter the date of the assessment."))
        if not data.get("learner_id"):
            if not data.get("email"):
                self.add_error("email", _("Enter the learner's e-mail address."))
        return data


AssessmentGridFormSet = forms.formset_factory(AssessmentRowForm, extra=0)


class ResultsImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or Shift_JIS, comma- or tab-separated, as Excel saves it."),
    )
    strict = forms.BooleanField(
        label=_("Strict: import nothing if any row has an error"), required=False
    )
    propose_awards = forms.BooleanField(
        label=_("Propose awards for passing rows (pending approval)"), required=False
    )

    def __init__(self, *args, kept_file: str = "", **kwargs):
        """`kept_file`: the name of a file uploaded before and kept on the server; then
        choosing a file again is optional (a new one replaces it)."""
        super().__init__(*args, **kwargs)
        self.kept_file = kept_file
        if kept_file:
            self.fields["file"].required = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)s MB.") % {"max": MAX_IMPORT_BYTES // 2**20}
            )
        return upload


class RevokeAwardsForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Verifiers of the badge are shown this reason."),
    )


class LearnerAddForm(forms.ModelForm):
    """Registers a learner at an issuer (no model fields: the e-mail may already be known)."""

    issuer = forms.ModelChoiceField(queryset=None, label=_("Issuer"))
    email = forms.EmailField(label=_("E-mail"))
    name_ja = forms.CharField(label=_("Name (Japanese)"), required=False, max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), required=False, max_length=200)
    student_number = forms.CharField(label=_("Student number"), required=False, max_length=64)

    class Meta:
        model = Learner
        fields: list[str] = []

    def __init__(self, *args, issuers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers

    def clean(self):
        # The admin cannot show a service's error after saving, so the checks register_learner
        # would fail on are made here first (reads only).
        data = super().clean()
        email = normalise_email(data.get("email", ""))
        number, issuer = data.get("student_number"), data.get("issuer")
        # Names are per issuer: a learner new to this issuer needs one, whoever else knows them.
        known_here = LearnerEnrolment.objects.filter(learner__email=email, issuer=issuer).exists()
        if email and not known_here and not (data.get("name_ja") or data.get("name_en")):
            self.add_error("name_ja", _("Enter the learner's name in Japanese or English."))
        if number and issuer:
            holder = LearnerEnrolment.objects.filter(issuer=issuer, student_number=number)
            if holder.exclude(learner__email=email).exists():
                self.add_error(
                    "student_number", _("This student number belongs to another learner here.")
                )
        return data

    def _post_clean(self):
        pass  # no model fields: register_learner validates the learner it finds or creates


class LearnerSignInForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)

    def refuse_as_rate_limited(self, minutes: int) -> None:
        """The same message for the address limit and the e-mail limit, and for known and
        unknown e-mails alike: it says nothing about whether a learner has the address."""
        self.add_error(
            None,
            forms.ValidationError(
                _(
                    "Too many sign-in links were requested. Please wait %(minutes)s minutes "
                    "and try again."
                ),
                code="rate_limited",
                params={"minutes": minutes},
            ),
        )
