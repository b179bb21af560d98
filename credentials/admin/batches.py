"""Batch jobs in the staff UI: start one (a results file, or every learner with a passing
result), follow it on its job page (a progress bar polling a small JSON endpoint), download
its failed rows, cancel it. Reads come from credentials.selectors_batches, writes from
credentials.services.batches."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credentials import selectors_batches as selectors
from credentials.models import IssuingBatch
from credentials.services import batches as services
from credentials.services.imports import COLUMN_LABELS, allowed_values
from credentials.services.imports.reading import CsvFileError
from frameworks.i18n import current_lang
from issuers.admin import ScopedAdminMixin, may
from issuers.permissions import Action

from ..batch_export import failed_items_csv, original_cells
from . import import_store
from .batch_forms import BatchCsvForm, BatchStartForm
from .common import add_service_error

FAILED_ROWS_SHOWN = 500
KEPT = 0  # the version a file kept for the start page is stored under: it is chosen later


def duration_text(seconds) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": seconds}
    return _("%(seconds)s s") % {"seconds": seconds}


def progress_for_page(batch: IssuingBatch) -> dict:
    """batch_progress() with the words the page shows, in the user's language."""
    progress = selectors.batch_progress(batch)
    return {
        **progress,
        "state_label": batch.get_state_display(),
        "rate_text": _("%(rate)s awards/s") % {"rate": f"{progress['rate']:.1f}"},
        "eta_text": duration_text(progress["eta_seconds"]),
    }


def failed_row(item, lang: str) -> tuple:
    """(line, student number, name, e-mail, reason): staff find a row by number and name."""
    cells = original_cells(item)
    name = cells.get("name_ja") or cells.get("name_en") or ""
    return (item.line, cells.get("student_number", ""), name, item.email, item.error_in(lang))


@admin.register(IssuingBatch)
class IssuingBatchAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "programme_display",
        "source",
        "state",
        "total",
        "done_display",
        "failed_display",
        "started_by_display",
        "created_at",
    ]
    list_display_links = ["programme_display"]
    list_filter = ["state", "source"]
    search_fields = ["source_name", "started_by__username", "items__email"]
    change_list_template = "admin/credentials/batch/change_list.html"

    def get_queryset(self, request):
        return selectors.batches_for_user(request.user)

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False  # searching items' e-mails would repeat a job

    def has_view_permission(self, request, obj=None):
        return may(request, obj and obj.issuer, Action.VIEW, any_issuer=obj is None)

    def has_add_permission(self, request):
        return False  # jobs are started from the start page, through the services

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a job is the record of what was issued

    def may_start(self, request, issuer=None) -> bool:
        return may(request, issuer, Action.ISSUE_AWARD, any_issuer=issuer is None)

    # --- the list ----------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("programme"), ordering="programme_version")
    def programme_display(self, batch):
        return self.programme_label(batch.programme_version)

    @staticmethod
    def programme_label(version) -> str:
        return f"{version.title_in(current_lang())} (v{version.number})"

    def _counts(self, batch):
        # Finished jobs carry final counts; a running (or cancelled) one is counted live.
        if batch.state in (IssuingBatch.State.COMPLETED, IssuingBatch.State.COMPLETED_WITH_ERRORS):
            return {"done": batch.done_count, "failed": batch.failed_count}
        return selectors.batch_counts(batch)

    @admin.display(description=gettext_lazy("done"))
    def done_display(self, batch):
        return self._counts(batch)["done"]

    @admin.display(description=gettext_lazy("failed"))
    def failed_display(self, batch):
        return self._counts(batch)["failed"]

    @admin.display(description=gettext_lazy("started by"))
    def started_by_display(self, batch):
        if batch.started_by:
            return batch.started_by.get_username()
        if batch.api_client:
            return _("API client: %(name)s") % {"name": batch.api_client}
        return _("the portal (follow-up)")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_start": self.may_start(request)}
        return super().changelist_view(request, extra_context)

    # --- URLs ----------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("start/", wrap(self.start_view), name="credentials_issuingbatch_start"),
            path(
                "<path:object_id>/progress.json",
                wrap(self.progress_view),
                name="credentials_issuingbatch_progress",
            ),
            path(
                "<path:object_id>/failed.csv",
                wrap(self.failed_csv_view),
                name="credentials_issuingbatch_failed_csv",
            ),
            path(
                "<path:object_id>/cancel/",
                wrap(self.cancel_view),
                name="credentials_issuingbatch_cancel",
            ),
            *super().get_urls(),
        ]

    def _batch(self, request, object_id) -> IssuingBatch:
        batch = self.get_object(request, unquote(object_id))  # 404 outside the user's issuers
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        return batch

    # --- starting ------------------------------------------------------------------------------

    def start_view(self, request):
        if not self.may_start(request):
            raise PermissionDenied
        versions = selectors.batch_versions_for_user(request.user)
        initial = {"version": request.GET.get("version")}
        csv_form = BatchCsvForm(versions=versions, initial=initial, prefix="csv")
        passing_form = BatchStartForm(versions=versions, initial=initial, prefix="passing")
        if request.method == "POST" and "_passing" in request.POST:
            passing_form = BatchStartForm(request.POST, versions=versions, prefix="passing")
            if passing_form.is_valid():
                batch = self._start(request, passing_form, services.start_batch_for_passing)
                if batch is not None:
                    return redirect(self.job_url(batch))
        elif request.method == "POST":
            csv_form, batch = self._start_from_file(request, versions)
            if batch is not None:
                return redirect(self.job_url(batch))
        return TemplateResponse(
            request,
            "admin/credentials/batch/start.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Issue as a batch"),
                "csv_form": csv_form,
                "passing_form": passing_form,
                "versions": versions,
                "result_label": COLUMN_LABELS["result"],
                "method_label": COLUMN_LABELS["method"],
                "templates": [
                    (
                        self.programme_label(version),
                        reverse("admin:credentials_programme_template", args=[version.pk]),
                        allowed_values(version, current_lang()),
                    )
                    for version in versions
                ],
            },
        )

    def _start_from_file(self, request, versions):
        """The file form; when it comes back with an error the file is kept on the server
        (the form sends its token as `kept`), so a second try does not need it chosen again."""
        token = request.POST.get("kept", "")
        kept = import_store.load(request, token, version_id=KEPT) if token else None
        upload = request.FILES.get("csv-file")
        form = BatchCsvForm(
            request.POST, request.FILES, versions=versions, prefix="csv",
            kept_file=kept[1]["filename"] if kept else "",
        )  # fmt: skip
        data, filename = None, ""
        if upload is not None and not form.has_error("file"):
            data, filename = upload.read(), upload.name
        elif kept and upload is None:
            data, filename = kept[0], kept[1]["filename"]
        if form.is_valid():
            batch = self._start(
                request, form, services.start_batch_from_csv, data=data, filename=filename
            )
            if batch is not None:
                if kept:
                    import_store.discard(request, token)
                return form, batch
        if data is not None and not form.has_error("file"):
            if kept:
                import_store.discard(request, token)
            form.kept_token = import_store.stash(
                request, version_id=KEPT, data=data, filename=filename, options={}
            )
            form.kept_file = filename
        return form, None

    def _start(self, request, form, start, **arguments):
        """Run a start service; a refusal goes on the form, so nothing the user chose is lost."""
        try:
            return start(
                actor=request.user,
                programme_version=form.cleaned_data["version"],
                notify=form.cleaned_data["notify"],
                request=request,
                **arguments,
            )
        except CsvFileError as error:  # the file as a whole cannot be read
            form.add_error("file", error.messages)
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        return None

    def job_url(self, batch) -> str:
        return reverse("admin:credentials_issuingbatch_change", args=[batch.pk])

    # --- the job page --------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self._batch(request, object_id)
        failed = selectors.failed_items(batch)
        lang = current_lang()
        return TemplateResponse(
            request,
            "admin/credentials/batch/job.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Batch: %(programme)s") % {"programme": self.programme_display(batch)},
                "programme_label": self.programme_display(batch),
                "batch": batch,
                "progress": progress_for_page(batch),
                "failed_rows": [failed_row(item, lang) for item in failed[:FAILED_ROWS_SHOWN]],
                "number_label": COLUMN_LABELS["student_number"],
                "name_label": COLUMN_LABELS["name_ja"],
                "failed_shown": FAILED_ROWS_SHOWN,
                "follow_ups": batch.follow_ups.select_related("programme_version__programme"),
                "may_cancel": not batch.is_finished and self.may_start(request, batch.issuer),
            },
        )

    def progress_view(self, request, object_id):
        batch = self._batch(request, object_id)
        response = JsonResponse(progress_for_page(batch), encoder=DjangoJSONEncoder)
        response["Cache-Control"] = "no-store"
        return response

    def failed_csv_view(self, request, object_id):
        batch = self._batch(request, object_id)
        return failed_items_csv(batch, f"batch-{batch.public_id}-failed.csv")

    def cancel_view(self, request, object_id):
        batch = self._batch(request, object_id)
        if not self.may_start(request, batch.issuer):
            raise PermissionDenied
        if request.method == "POST":
            try:
                batch = services.cancel_batch(actor=request.user, batch=batch, request=request)
            except PermissionDenied as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                if batch.state == IssuingBatch.State.CANCELLED:
                    self.message_user(
                        request,
                        _("The batch is cancelled. Awards already issued stay issued."),
                        messages.WARNING,
                    )
                else:
                    self.message_user(request, _("The batch had already finished."))
        return redirect(self.job_url(batch))
