"""Staff views of the derived badge rows (read-only, they are rebuilt from awards) and of
endorsements (made and withdrawn through badges.endorsements)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from badges.endorsements import (
    accept_endorsement,
    check_endorsable,
    decline_endorsement,
    endorse_programme_version,
    endorsement_url,
    ob2_endorsement_url,
    withdraw_endorsement,
)
from badges.models import BadgeRecord, Endorsement, StatusList
from badges.selectors import endorsements_for_user
from credentials.models import ProgrammeVersion
from issuers.admin import ScopedAdminMixin, may
from issuers.permissions import Action
from issuers.selectors import issuers_for_user


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatusList)
class StatusListAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "issuer", "purpose", "size", "version", "signed_version")
    list_filter = ("purpose", "issuer")
    exclude = ("bits", "credential")


@admin.register(BadgeRecord)
class BadgeRecordAdmin(ReadOnlyAdmin):
    list_display = ("award", "status_list", "status_index", "ob3_signing_key", "created_at")
    search_fields = ("award__public_id", "award__learner__email")
    raw_id_fields = ("award",)
    exclude = ("ob2_assertion", "ob2_jws", "ob3_credential")


class EndorsementForm(forms.ModelForm):
    class Meta:
        model = Endorsement
        fields = ["endorser", "programme_version", "comment_ja", "comment_en", "valid_until"]

    def clean(self):
        data = super().clean()
        endorser, version = data.get("endorser"), data.get("programme_version")
        if endorser is not None and version is not None:
            try:
                check_endorsable(endorser, version, data.get("valid_until"))
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from error
        return data


@admin.register(Endorsement)
class EndorsementAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Endorsers see and withdraw what they endorsed; endorsed issuers see who endorses their
    programmes and accept or decline it (only accepted ones go into their badges). Writes only
    through badges.endorsements."""

    form = EndorsementForm
    list_display = (
        "programme_version",
        "endorser",
        "status",
        "acceptance",
        "issued_at",
        "valid_until",
    )
    list_filter = ("acceptance", "status")
    readonly_fields = (
        "endorser",
        "programme_version",
        "comment_ja",
        "comment_en",
        "issued_at",
        "valid_until",
        "status",
        "withdrawn_at",
        "acceptance",
        "decided_at",
        "decided_by",
        "public_id",
        "links",
    )
    actions = ["accept", "decline", "withdraw"]

    def get_queryset(self, request):
        return endorsements_for_user(request.user)

    def get_fields(self, request, obj=None):
        return list(EndorsementForm.Meta.fields) if obj is None else list(self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        owned = issuers_for_user(request.user, Action.MANAGE_ISSUER)
        if db_field.name == "endorser":
            kwargs["queryset"] = owned
        elif db_field.name == "programme_version":
            kwargs["queryset"] = (
                ProgrammeVersion.objects.filter(published_at__isnull=False)
                .exclude(programme__issuer__in=owned)
                .select_related("programme__issuer")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("published documents"))
    def links(self, obj):
        return format_html(
            '<a href="{}">Open Badges 3.0</a> · <a href="{}">Open Badges 2.0</a>',
            endorsement_url(obj),
            ob2_endorsement_url(obj),
        )

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return may(request, None, Action.VIEW, any_issuer=True)
        return may(request, obj.endorser, Action.VIEW) or may(
            request, obj.programme_version.programme.issuer, Action.VIEW
        )

    def has_add_permission(self, request):
        return may(request, None, Action.MANAGE_ISSUER, any_issuer=True)

    def has_change_permission(self, request, obj=None):
        return False  # signed once; withdraw and endorse again to change it

    def has_delete_permission(self, request, obj=None):
        return False  # issued badges carry the signed endorsement

    def has_withdraw_permission(self, request):
        return self.has_add_permission(request)

    def has_decide_permission(self, request):
        return self.has_add_permission(request)  # an owner of some issuer; checked per row

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = endorse_programme_version(
            actor=request.user,
            endorser=data["endorser"],
            version=data["programme_version"],
            comment_ja=data["comment_ja"],
            comment_en=data.get("comment_en") or "",
            valid_until=data.get("valid_until"),
            request=request,
        )
        obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db

    @admin.action(description=_("Withdraw the selected endorsements"), permissions=["withdraw"])
    def withdraw(self, request, queryset):
        owned = issuers_for_user(request.user, Action.MANAGE_ISSUER)
        withdrawn = 0
        for endorsement in queryset.filter(endorser__in=owned, status=Endorsement.Status.ACTIVE):
            withdraw_endorsement(actor=request.user, endorsement=endorsement, request=request)
            withdrawn += 1
        skipped = queryset.count() - withdrawn
        if withdrawn:
            self.message_user(
                request,
                ngettext(
                    "%(count)d endorsement was withdrawn.",
                    "%(count)d endorsements were withdrawn.",
                    withdrawn,
                )
                % {"count": withdrawn},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                _("Only active endorsements your issuers gave can be withdrawn."),
                messages.WARNING,
            )

    def _decide(self, request, queryset, service, done_message) -> None:
        # Only endorsements of the user's own issuers' programmes: another issuer's consent is
        # not the user's to give (the service checks it again).
        owned = issuers_for_user(request.user, Action.MANAGE_ISSUER)
        decided = 0
        for endorsement in queryset.filter(
            programme_version__programme__issuer__in=owned, status=Endorsement.Status.ACTIVE
        ):
            service(actor=request.user, endorsement=endorsement, request=request)
            decided += 1
        if decided:
            self.message_user(request, done_message(decided), messages.SUCCESS)
        if queryset.count() > decided:
            self.message_user(
                request,
                _(
                    "Only active endorsements of your issuers' programmes can be accepted or "
                    "declined; the others were left as they are."
                ),
                messages.WARNING,
            )

    @admin.action(
        description=_("Accept the selected endorsements (show them in our badges)"),
        permissions=["decide"],
    )
    def accept(self, request, queryset):
        self._decide(
            request,
            queryset,
            accept_endorsement,
            lambda count: (
                ngettext(
                    "%(count)d endorsement was accepted.",
                    "%(count)d endorsements were accepted.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(
        description=_("Decline the selected endorsements (keep them out of our badges)"),
        permissions=["decide"],
    )
    def decline(self, request, queryset):
        self._decide(
            request,
            queryset,
            decline_endorsement,
            lambda count: (
                ngettext(
                    "%(count)d endorsement was declined.",
                    "%(count)d endorsements were declined.",
                    count,
                )
                % {"count": count}
            ),
        )


# The outside-badge registration admin lives in its own module; importing it registers it.
from badges import admin_outside  # noqa: E402, F401
