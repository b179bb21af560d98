"""The public verify form: one badge (pasted text or an uploaded baked image) and an optional
e-mail address the candidate gave."""

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

# Baked badge images are small; a limit well under the verifier's own keeps uploads cheap and
# lets the page say the number people can act on.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_MB = MAX_UPLOAD_BYTES // (1024 * 1024)


class VerifyForm(forms.Form):
    badge = forms.CharField(
        label=_("Badge URL, JSON or JWS"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("Paste the badge's link, its JSON, or a signed badge (JWS)."),
    )
    file = forms.FileField(
        label=_("Baked badge image (PNG or SVG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.svg,image/png,image/svg+xml"}),
    )
    email = forms.EmailField(
        label=_("E-mail address given by the candidate (optional)"),
        required=False,
        help_text=_("Checks that the badge was issued to this address. It is not stored."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request: a lazy string %-formatted at import would freeze the language.
        self.fields["file"].help_text = _("Up to %(limit)d MB.") % {"limit": MAX_UPLOAD_MB}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large. The limit is %(limit)d MB."),
                code="too_large",
                params={"limit": MAX_UPLOAD_MB},
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        has_text = bool(cleaned.get("badge"))
        has_file = bool(cleaned.get("file"))
        if not has_text and not has_file:
            raise forms.ValidationError(
                _("Paste a badge URL, JSON or JWS, or choose a badge image."), code="empty"
            )
        if has_text and has_file:
            raise forms.ValidationError(
                _("Give either pasted text or an image, not both."), code="both"
            )
        return cleaned

    def badge_data(self) -> bytes | str:
        """What verify_badge reads: the image bytes or the pasted text."""
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read()
        return self.cleaned_data["badge"]

    def refuse_as_rate_limited(self) -> None:
        """Show the rate-limit message above the form; the input is neither checked nor
        verified (what the employer typed stays in the form)."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        self.add_error(
            None,
            forms.ValidationError(
                _("Too many verifications from your address. Please wait a minute and try again."),
                code="rate_limited",
            ),
        )


class OutsideBadgeForm(VerifyForm):
    """A badge from another issuer for recognition of prior learning: the same inputs as the
    verify page (it is verified the same way), plus JSON or JWT files; no e-mail, the learner's
    own is checked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["email"]
        self.fields["badge"].label = _("Badge URL, JSON or JWT")
        self.fields["badge"].help_text = _(
            "Paste the badge's link, its JSON, or a signed badge (JWS / VC-JWT)."
        )
        self.fields["file"].label = _("Badge file (PNG, SVG, JSON or JWT)")
        self.fields["file"].widget.attrs["accept"] = (
            ".png,.svg,.json,.jwt,.txt,image/png,image/svg+xml,application/json"
        )
