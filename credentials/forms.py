"""Staff forms. They translate between HTML and the services; they write nothing themselves."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Assessment, Learner, LearnerEnrolment, normalise_email
from .programme_form import ProgrammeEditorForm

__all__ = ["ProgrammeEditorForm"]

MAX_IMPORT_BYTES = 20 * 1024 * 1024


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
