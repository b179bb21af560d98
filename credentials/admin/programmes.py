"""Programmes: the editor (descriptors by framework group, completeness, crosswalk),
publish and retire, and the links to a version's assessment grid and CSV import."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from credentials import selectors, services
from credentials.badge_design import badge_data_uri
from credentials.models import Programme
from frameworks.crosswalk import crosswalk
from frameworks.i18n import current_lang
from issuers.admin import ScopedAdminMixin, may
from issuers.permissions import Action

from .common import add_service_error, report_failure
from .crosswalk import crosswalk_download_view
from .grid import assessment_grid_view
from .imports import results_import_failed_view, results_import_view, results_template_view
from .programme_preview import editor_form, preview_context, preview_view

CROSSWALK_TARGETS = ("eu", "au")
PROGRAMME_FIELDS = ("issuer", "slug")
SETTINGS_FIELDS = (
    "criteria_ja",
    "criteria_en",
    "validity_months",
    "auto_issue_stack",
    "badge_image",
    "clear_badge_image",
)
STACK_FIELDS = ("stack_required", "stack_min_count")


def _bound(form, names) -> list:
    return [form[name] for name in names if name in form.fields]


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title_display", "issuer", "slug", "status", "version_display"]
    list_filter = ["status", ("issuer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["slug", "versions__descriptors__title__ja", "versions__descriptors__title__en"]
    actions = ["publish_selected", "retire_selected", "evaluate_stacks_now"]

    def get_queryset(self, request):
        return selectors.programmes_for_user(request.user)

    def has_view_permission(self, request, obj=None):
        return may(request, obj and obj.issuer, Action.VIEW, any_issuer=obj is None)

    def has_add_permission(self, request):
        return may(request, None, Action.EDIT_PROGRAMME, any_issuer=True)

    def has_change_permission(self, request, obj=None):
        return may(request, obj and obj.issuer, Action.EDIT_PROGRAMME, any_issuer=obj is None)

    def has_delete_permission(self, request, obj=None):
        return False  # awards point at programme versions

    def has_edit_permission(self, request):
        return self.has_add_permission(request)

    @admin.display(description=gettext_lazy("title"))
    def title_display(self, programme):
        version = programme.latest_version
        return version.title_in(current_lang()) if version else programme.slug

    @admin.display(description=pgettext_lazy("programme", "version"))
    def version_display(self, programme):
        latest, live = programme.latest_version, programme.published_version
        if latest is None:
            return "-"
        if live is None or live.pk == latest.pk:
            return f"v{latest.number}"
        return _("v%(live)s (draft v%(draft)s)") % {"live": live.number, "draft": latest.number}

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/publish/",
                wrap(self.publish_view),
                name="credentials_programme_publish",
            ),
            path(
                "<path:object_id>/retire/",
                wrap(self.retire_view),
                name="credentials_programme_retire",
            ),
            path(
                "preview/",
                wrap(lambda request: preview_view(self, request)),
                name="credentials_programme_preview",
            ),
            path(
                "<path:object_id>/preview/",
                wrap(lambda request, object_id: preview_view(self, request, unquote(object_id))),
                name="credentials_programme_preview_existing",
            ),
            path(
                "<path:object_id>/crosswalk/<str:target>.csv",
                wrap(self.crosswalk_download_view),
                name="credentials_programme_crosswalk",
            ),
            path(
                "versions/<int:version_id>/assessments/",
                wrap(lambda request, version_id: assessment_grid_view(self, request, version_id)),
                name="credentials_programme_assessments",
            ),
            path(
                "versions/<int:version_id>/import/",
                wrap(lambda request, version_id: results_import_view(self, request, version_id)),
                name="credentials_programme_import",
            ),
            path(
                "versions/<int:version_id>/import/failed.csv",
                wrap(
                    lambda request, version_id: results_import_failed_view(
                        self, request, version_id
                    )
                ),
                name="credentials_programme_import_failed",
            ),
            path(
                "versions/<int:version_id>/template.csv",
                wrap(lambda request, version_id: results_template_view(self, request, version_id)),
                name="credentials_programme_template",
            ),
            *super().get_urls(),
        ]

    def crosswalk_download_view(self, request, object_id, target):
        return crosswalk_download_view(self, request, object_id, target)

    # The editor replaces the model form: it edits a version's descriptors through services.

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self.editor_view(request, None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.editor_view(request, self.get_object(request, unquote(object_id)))

    def editor_view(self, request, programme):
        can_edit = programme is None or self.has_change_permission(request, programme)
        if request.method == "POST":
            if not can_edit:
                raise PermissionDenied
            form, framework = editor_form(request, programme, request.POST, request.FILES)
            if form.is_valid():
                saved = self._save_editor(request, form, programme)
                if saved is not None:
                    if "_publish" in request.POST:
                        self._publish(request, saved)
                    return redirect(reverse("admin:credentials_programme_change", args=[saved.pk]))
        else:
            form, framework = editor_form(request, programme)
            if not can_edit:
                for field in form.fields.values():
                    field.disabled = True
        return TemplateResponse(
            request,
            "admin/credentials/programme/editor.html",
            self._editor_context(request, form, programme, framework, can_edit),
        )

    def _save_editor(self, request, form, programme):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if programme is None:
                    version_fields = {
                        k: v for k, v in form.version_fields().items() if v is not None
                    }
                    programme = services.create_programme(
                        actor=request.user,
                        issuer=data["issuer"],
                        slug=data["slug"],
                        descriptors=form.descriptors(),
                        request=request,
                        **version_fields,
                    )
                    version = programme.latest_version
                else:
                    version = services.revise_programme(
                        actor=request.user,
                        programme=programme,
                        descriptors=form.descriptors(programme.latest_version.descriptors),
                        request=request,
                        **form.version_fields(),
                    )
                    if {"stack_required", "stack_min_count"} & set(form.changed_data):
                        services.set_stack_requirement(
                            actor=request.user,
                            target=programme,
                            required=data["stack_required"],
                            min_count=data["stack_min_count"],
                            request=request,
                        )
        except ValidationError as error:
            add_service_error(form, error)
            return None
        self.message_user(
            request,
            _("Saved as version %(number)s.") % {"number": version.number},
            messages.SUCCESS,
        )
        return programme

    def _editor_context(self, request, form, programme, framework, can_edit):
        version = programme.latest_version if programme else None
        report = selectors.programme_report(version, framework) if version else None
        lang = current_lang()
        crosswalks = [
            crosswalk(version.descriptors, target, lang=lang, awarding_body=programme.issuer)
            for target in (CROSSWALK_TARGETS if version else ())
        ]
        title = (
            _("Edit programme: %(title)s") % {"title": version.title_in(lang)}
            if version
            else _("New programme")
        )
        results = {r.key: r for r in report.results} if report else {}
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "programme_fields": _bound(form, PROGRAMME_FIELDS),
            "descriptor_groups": [
                (
                    group,
                    [
                        {
                            "editor": editor,
                            "parts": editor.layout(form),
                            "result": results.get(editor.key),
                            "problems": form.descriptor_errors.get(editor.key, []),
                        }
                        for editor in editors
                    ],
                )
                for group, editors in form.editor_groups
            ],
            "error_summary": form.error_summary() if form.is_bound else [],
            "preview_url": reverse(
                "admin:credentials_programme_preview_existing", args=[programme.pk]
            )
            if programme
            else reverse("admin:credentials_programme_preview"),
            **preview_context(
                form.descriptors(version.descriptors if version else {})
                if form.is_bound
                else (version.descriptors if version else {}),
                framework,
                programme.issuer if programme else None,
            ),
            "settings_fields": _bound(form, SETTINGS_FIELDS),
            "stack_fields": _bound(form, STACK_FIELDS),
            "badge_data_uri": badge_data_uri(version) if version else "",
            "programme": programme,
            "version": version,
            "live_version": programme.published_version if programme else None,
            "versions": programme.versions.order_by("-number") if programme else [],
            "report": report,
            "crosswalks": crosswalks,
            "framework": framework,
            "can_edit": can_edit,
            "can_record": programme is not None
            and may(request, programme.issuer, Action.RECORD_ASSESSMENT),
            "can_issue": programme is not None
            and may(request, programme.issuer, Action.ISSUE_AWARD),
            "media": self.media + form.media,
        }

    # Publishing and retiring: buttons on the editor and actions on the list.

    def _publish(self, request, programme) -> None:
        try:
            version = services.publish_programme(
                actor=request.user, programme=programme, request=request
            )
        except (ValidationError, PermissionDenied) as error:
            report_failure(self, request, error, prefix=f"{programme}: ")
        else:
            self.message_user(
                request,
                _("%(programme)s: version %(number)s is published.")
                % {"programme": programme, "number": version.number},
                messages.SUCCESS,
            )

    def publish_view(self, request, object_id):
        programme = self.get_object(request, unquote(object_id))
        if request.method == "POST":
            self._publish(request, programme)
        return redirect(reverse("admin:credentials_programme_change", args=[programme.pk]))

    def retire_view(self, request, object_id):
        programme = self.get_object(request, unquote(object_id))
        if request.method == "POST":
            self._retire(request, programme)
        return redirect(reverse("admin:credentials_programme_change", args=[programme.pk]))

    def _retire(self, request, programme) -> None:
        try:
            services.retire_programme(actor=request.user, programme=programme, request=request)
        except (ValidationError, PermissionDenied) as error:
            report_failure(self, request, error, prefix=f"{programme}: ")
        else:
            self.message_user(request, _("%(programme)s is retired.") % {"programme": programme})

    @admin.action(description=gettext_lazy("Publish selected programmes"), permissions=["edit"])
    def publish_selected(self, request, queryset):
        for programme in queryset:
            self._publish(request, programme)

    @admin.action(description=gettext_lazy("Retire selected programmes"), permissions=["edit"])
    def retire_selected(self, request, queryset):
        for programme in queryset:
            self._retire(request, programme)

    def has_issue_permission(self, request):
        return may(request, None, Action.ISSUE_AWARD, any_issuer=True)

    @admin.action(
        description=gettext_lazy("Make the stacked awards learners have earned"),
        permissions=["issue"],
    )
    def evaluate_stacks_now(self, request, queryset):
        """For stacks set up after learners already held the required awards."""
        required = Programme.objects.filter(required_by__target__in=queryset)
        awards = services.evaluate_stacks(
            selectors.learners_holding(required), actor=request.user, request=request
        )
        self.message_user(
            request,
            _("%(count)s stacked awards were made.") % {"count": len(awards)},
            messages.SUCCESS,
        )
