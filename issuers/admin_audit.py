"""The audit trail in the staff admin, for people: actions and object types by their labels,
objects by name with a link to their admin page, times in the viewer's time zone (named
beside them), filters by issuer, action, object type, actor and date range, and a CSV download
of the filtered events for auditors. Read-only: services alone write the trail."""

import datetime
import json

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.csv_export import csv_download

from .admin import ScopedAdminMixin, may
from .audit_labels import (
    action_label,
    target_admin_url,
    target_type_choices,
    target_type_label,
)
from .models import AuditEvent
from .permissions import Action
from .selectors import audit_events_for_user


def _with_zone(text: str) -> str:
    return f"{gettext(text)} ({timezone.get_current_timezone_name()})"


# Column and field titles name the zone the times are shown in (read at render time).
TIME_TITLE = lazy(lambda: _with_zone("time"), str)()


def local_time(moment: datetime.datetime) -> str:
    """The moment in the viewer's zone, to the second, e.g. 2026-12-05 18:30:00."""
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i:s")


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        # Only actions that happened in the viewer's issuers: a short list, by label.
        written = model_admin.get_queryset(request).order_by().values_list("action", flat=True)
        choices = {code: action_label(code) for code in written.distinct()}
        return sorted(choices.items(), key=lambda choice: choice[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class TargetTypeFilter(admin.SimpleListFilter):
    title = _("object type")
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        written = model_admin.get_queryset(request).order_by().values_list("target_type", flat=True)
        return target_type_choices(set(written.distinct()))

    def queryset(self, request, queryset):
        return queryset.filter(target_type=self.value()) if self.value() else queryset


class DateRangeFilter(admin.ListFilter):
    """From and to (inclusive) as days in the viewer's time zone."""

    title = _("date range")
    template = "admin/issuers/auditevent/date_range_filter.html"
    parameters = ("since", "until")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.values = {}
        for name in self.parameters:
            if name in params:
                value = params.pop(name)
                self.values[name] = value[-1] if isinstance(value, list) else value
        self.other_params = [
            (name, value)
            for name, values in request.GET.lists()
            if name not in self.parameters and name != "p"
            for value in values
        ]

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.parameters)

    def choices(self, changelist):
        return []

    def day(self, name) -> datetime.date | None:
        try:
            return parse_date(self.values.get(name) or "")
        except ValueError:
            return None

    def queryset(self, request, queryset):
        zone = timezone.get_current_timezone()
        since, until = self.day("since"), self.day("until")
        if since:
            start = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
            queryset = queryset.filter(created_at__gte=start)
        if until:
            end = datetime.datetime.combine(until, datetime.time.min, tzinfo=zone)
            queryset = queryset.filter(created_at__lt=end + datetime.timedelta(days=1))
        return queryset


def readable_details(details: dict) -> str:
    if not details:
        return "—"
    return format_html(
        "<dl class='audit-details'>{}</dl>",
        format_html_join(
            "",
            "<dt>{}</dt><dd>{}</dd>",
            ((key, _detail_value(value)) for key, value in details.items()),
        ),
    )


def _detail_value(value) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return "—" if value is None else str(value)


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "time_display",
        "action_display",
        "target_type_display",
        "target_display",
        "actor_display",
        "issuer",
    ]
    list_filter = [
        ("issuer", admin.RelatedOnlyFieldListFilter),
        ActionFilter,
        TargetTypeFilter,
        ("actor", admin.RelatedOnlyFieldListFilter),
        DateRangeFilter,
    ]
    search_fields = ["action", "target_type", "target_id", "target_label", "actor_label"]
    fields = readonly_fields = [
        "time_display",
        "action_display",
        "target_type_display",
        "target_display",
        "actor_display",
        "issuer",
        "details_display",
        "ip_address",
        "user_agent",
    ]
    list_select_related = ["issuer", "actor"]

    def get_queryset(self, request):
        return audit_events_for_user(request.user).select_related("issuer", "actor")

    @admin.display(description=TIME_TITLE, ordering="created_at")
    def time_display(self, event):
        return format_html(
            '<time datetime="{}">{}</time>',
            timezone.localtime(event.created_at).isoformat(timespec="seconds"),
            local_time(event.created_at),
        )

    @admin.display(description=_("action"), ordering="action")
    def action_display(self, event):
        return action_label(event.action)

    @admin.display(description=_("object type"), ordering="target_type")
    def target_type_display(self, event):
        return target_type_label(event.target_type)

    @admin.display(description=_("object"))
    def target_display(self, event):
        name = event.target_label or f"#{event.target_id}"
        url = target_admin_url(event.target_type, event.target_id)
        return format_html('<a href="{}">{}</a>', url, name) if url else name

    @admin.display(description=_("actor"), ordering="actor_label")
    def actor_display(self, event):
        if event.actor is None and event.actor_label == "system":
            return gettext("System (automatic)")
        return event.actor_label or "—"

    @admin.display(description=_("details"))
    def details_display(self, event):
        return readable_details(event.details)

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_csv)
        return [path("export.csv", export, name="issuers_auditevent_export"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        export_url = reverse("admin:issuers_auditevent_export")
        extra_context = {
            **(extra_context or {}),
            "export_url": f"{export_url}?{query}" if query else export_url,
            "time_zone_name": timezone.get_current_timezone_name(),
        }
        return super().changelist_view(request, extra_context)

    def export_csv(self, request):
        """The events the changelist shows with the same filters and search, every page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            events = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            # As the changelist does: back to it, which says the filters were not understood.
            return HttpResponseRedirect(reverse("admin:issuers_auditevent_changelist") + "?e=1")
        header = [
            _with_zone("time"),
            gettext("action"),
            gettext("action code"),
            gettext("object type"),
            gettext("object"),
            gettext("object id"),
            gettext("actor"),
            gettext("issuer"),
            gettext("IP address"),
            gettext("details"),
        ]
        # The rows are written while the response streams, after the middlewares have reset
        # the request's zone and language: both are fixed here.
        zone, language = timezone.get_current_timezone(), translation.get_language()

        def rows():
            with translation.override(language):
                for event in events.iterator(chunk_size=2_000):
                    yield [
                        timezone.localtime(event.created_at, zone).isoformat(timespec="seconds"),
                        action_label(event.action),
                        event.action,
                        target_type_label(event.target_type),
                        event.target_label,
                        event.target_id,
                        self.actor_display(event),
                        str(event.issuer) if event.issuer else "",
                        event.ip_address or "",
                        json.dumps(event.details, ensure_ascii=False, sort_keys=True),
                    ]

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_download(f"audit-events-{stamp}.csv", header, rows())

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return may(request, None, Action.VIEW, any_issuer=True)
        return may(request, obj.issuer, Action.VIEW)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
