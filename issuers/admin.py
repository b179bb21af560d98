"""Staff UI for issuers. Permissions come from Membership roles, not Django model permissions,
and every write goes through issuers.services (permission check + audit)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services, webhooks
from .api_clients import SCOPES, create_api_client, deactivate_api_client
from .models import (
    ApiClient,
    ExternalQualityAssurance,
    Issuer,
    Membership,
    Role,
    SigningKey,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from .permissions import Action
from .selectors import issuers_for_user, user_can

# Staff type bare domains; Django 6 assumes https too.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}
QA_FIELDS = ("qa_standard_name_ja", "qa_standard_name_en", "qa_standard_uri")


def may(request, issuer: Issuer | None, action: Action, *, any_issuer: bool = False) -> bool:
    """Whether the staff member may do `action` at `issuer` (or, with any_issuer, anywhere)."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    if any_issuer:
        return issuers_for_user(user, action).exists()
    return issuer is not None and user_can(user, issuer, action)


class ScopedAdminMixin:
    """Objects outside the user's issuers answer 404, as if they did not exist."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_module_permission(self, request):
        return may(request, None, Action.VIEW, any_issuer=True)


class MembershipForm(forms.ModelForm):
    # Owners name people by user name or e-mail: a user picker would list everyone's accounts.
    person = forms.CharField(label=_("user name or e-mail"), max_length=254)

    class Meta:
        model = Membership
        fields = ["person", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["person"].initial = self.instance.user.get_username()
            self.fields["person"].disabled = True

    def clean_person(self):
        if self.instance.pk:
            return self.instance.user
        value = self.cleaned_data["person"].strip()
        # Staff accounts only: roles are for people who work in the admin, not for learners.
        users = get_user_model().objects.filter(
            Q(username=value) | Q(email__iexact=value), is_active=True, is_staff=True
        )
        if len(users) != 1:
            raise ValidationError(_("No single active staff user has this user name or e-mail."))
        return users[0]


class MembershipFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        kept_owners = [
            form
            for form in self.forms
            if form.cleaned_data.get("role") == Role.OWNER and not form.cleaned_data.get("DELETE")
        ]
        had_owner = self.instance.pk and self.instance.memberships.filter(role=Role.OWNER)
        if not kept_owners and had_owner:
            raise ValidationError(_("An issuer must keep at least one owner."))


class WrittenByRoleInline:
    """Inlines of an issuer: visible to its staff, written by the role `write_action` names."""

    write_action: Action

    def has_view_permission(self, request, obj=None):
        return may(request, obj, Action.VIEW, any_issuer=obj is None)

    def has_add_permission(self, request, obj=None):
        return may(request, obj, self.write_action) if obj else request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


class MembershipInline(WrittenByRoleInline, admin.TabularInline):
    model = Membership
    form = MembershipForm
    formset = MembershipFormSet
    extra = 0

    def get_fields(self, request, obj=None):
        # Read-only viewers see the account itself; owners name people as text.
        return ["person", "role"] if self.has_change_permission(request, obj) else ["user", "role"]

    write_action = Action.MANAGE_STAFF


class ExternalQualityAssuranceInline(WrittenByRoleInline, admin.TabularInline):
    model = ExternalQualityAssurance
    formfield_overrides = URL_FIELDS
    fields = [
        "kind",
        "body_name_ja",
        "body_name_en",
        "scheme_ja",
        "scheme_en",
        "uri",
        "valid_from",
        "valid_until",
    ]
    extra = 0

    write_action = Action.MANAGE_ISSUER


class SigningKeyInline(admin.TabularInline):
    """Public parts only; keys are created and rotated by the issuer admin's actions."""

    model = SigningKey
    fields = readonly_fields = [
        "key_id",
        "algorithm",
        "status",
        "created_at",
        "retired_at",
        "public_key_display",
    ]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).defer("encrypted_private_key")

    @admin.display(description=_("public key"))
    def public_key_display(self, key):
        if key.algorithm == SigningKey.Algorithm.ED25519:
            return key.public_key_multibase
        return format_html("<pre>{}</pre>", key.public_key_pem)

    def has_view_permission(self, request, obj=None):
        return may(request, obj, Action.VIEW, any_issuer=obj is None)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Issuer)
class IssuerAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name_ja", "name_en", "slug", "kind", "country"]
    formfield_overrides = URL_FIELDS
    list_filter = ["kind"]
    search_fields = ["slug", "name_ja", "name_en"]
    inlines = [MembershipInline, ExternalQualityAssuranceInline, SigningKeyInline]
    actions = ["generate_missing_keys", "rotate_keys"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    "kind",
                    ("name_ja", "name_en"),
                    "url",
                    "email",
                    "country",
                    "logo",
                    "linkedin_organization_id",
                    "issue_vc_jwt",
                    "description_ja",
                    "description_en",
                ]
            },
        ),
        (_("Internal quality assurance"), {"fields": [QA_FIELDS[:2], QA_FIELDS[2]]}),
    ]

    def get_queryset(self, request):
        return issuers_for_user(request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Badge URLs contain the slug; the kind is the platform administrators' decision.
        return ["slug"] if request.user.is_superuser else ["slug", "kind"]

    def has_view_permission(self, request, obj=None):
        return may(request, obj, Action.VIEW, any_issuer=obj is None)

    def has_change_permission(self, request, obj=None):
        return may(request, obj, Action.MANAGE_ISSUER, any_issuer=obj is None)

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # published keys, awards and the audit trail refer to issuers

    def has_manage_keys_permission(self, request):
        return may(request, None, Action.MANAGE_KEYS, any_issuer=True)

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        if "logo" in data and not data["logo"]:
            data["logo"] = ""  # None: nothing uploaded; False: the "clear" box was ticked
        if not change:
            created = services.create_issuer(actor=request.user, request=request, **data)
            obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db
            return
        changed = set(form.changed_data)
        profile = changed & (services.PROFILE_FIELDS | services.PLATFORM_FIELDS)
        if profile:
            services.update_issuer_profile(
                actor=request.user,
                issuer=obj,
                request=request,
                **{name: data[name] for name in profile},
            )
        if changed & set(QA_FIELDS):
            services.set_quality_assurance(
                actor=request.user,
                issuer=obj,
                standard_name_ja=data["qa_standard_name_ja"],
                standard_name_en=data["qa_standard_name_en"],
                standard_uri=data["qa_standard_uri"],
                request=request,
            )

    def save_formset(self, request, form, formset, change):
        # Never formset.save(): each row goes through a service. The admin's change message
        # reads new/changed/deleted_objects, which formset.save() would otherwise set.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is Membership:
            self._save_memberships(request, form.instance, formset)
        elif formset.model is ExternalQualityAssurance:
            self._save_external_qa(request, form.instance, formset)

    def _save_memberships(self, request, issuer, formset):
        actor = request.user
        for row in formset.deleted_forms:
            if row.instance.pk:
                services.remove_membership(
                    actor=actor, issuer=issuer, user=row.instance.user, request=request
                )
                formset.deleted_objects.append(row.instance)
        for row in _changed_rows(formset):
            membership = services.set_membership(
                actor=actor,
                issuer=issuer,
                user=row.cleaned_data["person"],
                role=row.cleaned_data["role"],
                request=request,
            )
            _note_saved(formset, row, membership)

    def _save_external_qa(self, request, issuer, formset):
        actor = request.user
        for row in formset.deleted_forms:
            if row.instance.pk:
                services.remove_external_qa(actor=actor, external_qa=row.instance, request=request)
                formset.deleted_objects.append(row.instance)
        for row in _changed_rows(formset):
            fields = {name: row.cleaned_data[name] for name in services.EXTERNAL_QA_FIELDS}
            if row.instance.pk:
                record = services.update_external_qa(
                    actor=actor, external_qa=row.instance, request=request, **fields
                )
            else:
                record = services.add_external_qa(
                    actor=actor, issuer=issuer, request=request, **fields
                )
            _note_saved(formset, row, record)

    @admin.action(description=_("Generate missing signing keys"), permissions=["manage_keys"])
    def generate_missing_keys(self, request, queryset):
        self._for_each_issuer(
            request,
            queryset,
            lambda issuer: services.ensure_signing_keys(
                issuer, actor=request.user, request=request
            ),
            _("Signing keys are in place for %(issuer)s."),
        )

    @admin.action(
        description=_("Rotate signing keys (earlier keys stay published)"),
        permissions=["manage_keys"],
    )
    def rotate_keys(self, request, queryset):
        def rotate(issuer):
            for algorithm in SigningKey.Algorithm.values:
                services.rotate_signing_key(
                    actor=request.user, issuer=issuer, algorithm=algorithm, request=request
                )

        self._for_each_issuer(
            request, queryset, rotate, _("New signing keys are active for %(issuer)s.")
        )

    def _for_each_issuer(self, request, queryset, operation, success_message):
        for issuer in queryset:
            try:
                operation(issuer)
            except PermissionDenied as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, success_message % {"issuer": issuer}, messages.SUCCESS)


def _changed_rows(formset):
    deleted = set(map(id, formset.deleted_forms))
    return [row for row in formset.forms if id(row) not in deleted and row.has_changed()]


def _note_saved(formset, row, obj):
    if row.instance.pk:
        formset.changed_objects.append((obj, row.changed_data))
    else:
        formset.new_objects.append(obj)


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=[(scope, scope) for scope in SCOPES],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiClient
        fields = ["issuer", "name", "scopes"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Learning-management-system tokens. The token is shown once, in a message, on creation."""

    form = ApiClientForm
    list_display = ["name", "issuer", "prefix", "scopes", "is_active", "last_used_at"]
    list_filter = ["is_active"]
    readonly_fields = ["prefix", "user", "created_at", "last_used_at", "is_active"]
    actions = ["deactivate"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(issuer__in=issuers_for_user(request.user, Action.MANAGE_STAFF))
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["issuer", "name", "scopes", *self.readonly_fields]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["issuer", "name", "scopes"]
        return ["issuer", "name", "scopes", *self.readonly_fields]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "issuer":
            kwargs["queryset"] = issuers_for_user(request.user, Action.MANAGE_STAFF)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return may(request, None, Action.MANAGE_STAFF, any_issuer=True)

    def has_view_permission(self, request, obj=None):
        return may(request, obj and obj.issuer, Action.MANAGE_STAFF, any_issuer=obj is None)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return False  # clients are created and deactivated, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # the audit trail names the client's service account

    def has_deactivate_permission(self, request):
        return self.has_module_permission(request)

    def save_model(self, request, obj, form, change):
        client, token = create_api_client(
            actor=request.user,
            issuer=form.cleaned_data["issuer"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            request=request,
        )
        obj.pk, obj._state.adding, obj._state.db = client.pk, False, client._state.db
        messages.warning(
            request,
            format_html(
                "{} <code>{}</code>",
                _("Copy the token now; it is not stored and will not be shown again:"),
                token,
            ),
        )

    @admin.action(description=_("Deactivate the selected API clients"), permissions=["deactivate"])
    def deactivate(self, request, queryset):
        for client in queryset.filter(is_active=True):
            deactivate_api_client(actor=request.user, client=client, request=request)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        # url and events are declared above; naming only issuer here keeps the admin's
        # read-only copy of this form from building the model's URLField without https default.
        fields = ["issuer"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhooks.check_url(url)
        except ValidationError as error:
            raise ValidationError(error.message_dict["url"]) from error
        return url


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ["created_at", "event", "attempts", "last_status_code", "last_error", "delivered_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-created_at")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Owners register URLs that are told about awards; the secret is shown once, on creation."""

    form = WebhookEndpointForm
    formfield_overrides = URL_FIELDS
    list_display = ["url", "issuer", "events", "is_active", "created_at"]
    list_filter = ["is_active"]
    inlines = [WebhookDeliveryInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(issuer__in=issuers_for_user(request.user, Action.MANAGE_STAFF))
        )

    def get_fields(self, request, obj=None):
        return ["issuer", "url", "events"] + (["is_active", "created_at"] if obj else [])

    def get_readonly_fields(self, request, obj=None):
        return ["issuer", "url", "events", "is_active", "created_at"] if obj else []

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "issuer":
            kwargs["queryset"] = issuers_for_user(request.user, Action.MANAGE_STAFF)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return may(request, None, Action.MANAGE_STAFF, any_issuer=True)

    def has_view_permission(self, request, obj=None):
        return may(request, obj and obj.issuer, Action.MANAGE_STAFF, any_issuer=obj is None)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return False  # delete and register again: a new URL needs a new secret

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def save_model(self, request, obj, form, change):
        endpoint, secret = webhooks.register_endpoint(
            actor=request.user,
            issuer=form.cleaned_data["issuer"],
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            request=request,
        )
        obj.pk, obj._state.adding, obj._state.db = endpoint.pk, False, endpoint._state.db
        messages.warning(
            request,
            format_html(
                "{} <code>{}</code>",
                _("Copy the signing secret now; it will not be shown again:"),
                secret,
            ),
        )

    def delete_model(self, request, obj):
        webhooks.delete_endpoint(actor=request.user, endpoint=obj, request=request)

    def delete_queryset(self, request, queryset):
        for endpoint in queryset:
            webhooks.delete_endpoint(actor=request.user, endpoint=endpoint, request=request)


# The audit trail's admin lives in its own module; importing it registers it.
from . import admin_agreements, admin_audit  # noqa: E402, F401
