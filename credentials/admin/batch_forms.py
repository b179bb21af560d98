"""Forms of the batch start page: a results file, or every learner with a passing result."""

from django import forms
from django.utils.translation import gettext_lazy as _

from credentials.forms import ResultsImportForm
from credentials.models import ProgrammeVersion
from frameworks.i18n import current_lang


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, version):
        return f"{version.title_in(current_lang())} (v{version.number})"


class BatchStartForm(forms.Form):
    """The programme version and whether to e-mail the learners. `versions`: the ones the user
    may issue under, so that a crafted POST cannot name another issuer's."""

    version = VersionChoiceField(
        label=_("Programme"), queryset=ProgrammeVersion.objects.none(), empty_label=None
    )
    notify = forms.BooleanField(
        label=_("E-mail each learner the link to their credential"), required=False, initial=True
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = ProgrammeVersion.objects.filter(
            pk__in=[version.pk for version in versions]
        ).select_related("programme")


class BatchCsvForm(BatchStartForm):
    file = forms.FileField(
        label=_("CSV file"), help_text=ResultsImportForm.base_fields["file"].help_text
    )
    field_order = ["version", "file", "notify"]

    def __init__(self, *args, kept_file: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.kept_file = kept_file
        self.kept_token = ""  # set by the view once the file is stored
        if kept_file:
            self.fields["file"].required = False

    # The same size limit as the results import.
    clean_file = ResultsImportForm.clean_file
