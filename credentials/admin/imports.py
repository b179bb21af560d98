"""The results CSV import: upload, dry-run report, then confirm to apply."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from credentials.forms import ResultsImportForm
from credentials.services.imports import (
    COLUMN_LABELS,
    COLUMNS,
    REQUIRED_COLUMNS,
    allowed_values,
    failed_rows_csv,
    import_results,
    template_csv,
)
from frameworks.i18n import current_lang
from issuers.permissions import Action

from . import import_store
from .common import visible_version


def _japanese_headers(key: str) -> str:
    return "、".join(alias for alias in COLUMNS[key] if not alias.isascii())


def _run(request, version, data: bytes, filename: str, options: dict, *, dry_run: bool):
    return import_results(
        actor=request.user,
        programme_version=version,
        data=data,
        filename=filename,
        dry_run=dry_run,
        strict=options["strict"],
        propose_awards=options["propose_awards"],
        request=request,
    )


def results_template_view(model_admin, request, version_id: int):
    """The results template of a version, in the staff member's language (no personal data:
    whoever may see the programme may download it)."""
    version = visible_version(request, version_id, Action.VIEW)
    response = HttpResponse(template_csv(version, current_lang()), content_type="text/csv")
    filename = f"results-{version.programme.slug}-v{version.number}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def results_import_failed_view(model_admin, request, version_id: int):
    """The rows of the checked (kept) file that have errors, as a file to correct and upload
    again: its cells as they were, headed in the staff member's language, and the reasons."""
    version = visible_version(request, version_id, Action.RECORD_ASSESSMENT)
    import_url = reverse("admin:credentials_programme_import", args=[version.pk])
    stashed = import_store.load(request, request.GET.get("token", ""), version_id=version.pk)
    if stashed is None:
        model_admin.message_user(
            request, _("The uploaded file has expired; upload it again."), messages.ERROR
        )
        return redirect(import_url)
    data, entry = stashed
    try:
        report = _run(request, version, data, entry["filename"], entry["options"], dry_run=True)
    except ValidationError as error:
        model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
        return redirect(import_url)
    body = failed_rows_csv(data, report.errors, current_lang())
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="results-errors.csv"'
    return response


def kept_upload(request, version) -> tuple[str, bytes, str] | None:
    """The file uploaded before that the form sends back as `kept`: (token, bytes, name)."""
    token = request.POST.get("kept", "")
    stashed = import_store.load(request, token, version_id=version.pk) if token else None
    return (token, stashed[0], stashed[1]["filename"]) if stashed else None


def results_import_view(model_admin, request, version_id: int):
    version = visible_version(request, version_id, Action.RECORD_ASSESSMENT)
    report, token, form, kept = None, None, ResultsImportForm(), None
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        stashed = import_store.load(request, token, version_id=version.pk)
        if stashed is None:
            model_admin.message_user(
                request, _("The uploaded file has expired; upload it again."), messages.ERROR
            )
            return redirect(request.path)
        data, entry = stashed
        import_store.discard(request, token)
        token = None
        try:
            report = _run(
                request, version, data, entry["filename"], entry["options"], dry_run=False
            )
        except ValidationError as error:
            model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(request.path)
        if report.applied and report.errors:
            # The skipped rows stay downloadable, to be corrected and uploaded again.
            kept_token = import_store.stash(
                request, version_id=version.pk, data=data, filename=entry["filename"],
                options=entry["options"],
            )  # fmt: skip
            kept = (kept_token, data, entry["filename"])
        if report.applied:
            model_admin.message_user(
                request,
                _("%(count)s rows were imported.") % {"count": report.valid_rows},
                messages.SUCCESS,
            )
    elif request.method == "POST":
        # A file checked before is kept on the server: the form comes back without choosing
        # it again (e.g. to change an option), unless another file replaces it.
        kept = kept_upload(request, version)
        form = ResultsImportForm(request.POST, request.FILES, kept_file=kept and kept[2])
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload:
                data, filename = upload.read(), upload.name
            else:
                data, filename = kept[1], kept[2]
            if kept:
                import_store.discard(request, kept[0])
            kept = None
            options = {
                "strict": form.cleaned_data["strict"],
                "propose_awards": form.cleaned_data["propose_awards"],
            }
            try:
                report = _run(request, version, data, filename, options, dry_run=True)
            except ValidationError as error:  # the file as a whole (CsvFileError) or the version
                form.add_error("file", error.messages)
            else:
                stashed = import_store.stash(
                    request, version_id=version.pk, data=data, filename=filename, options=options
                )
                kept = (stashed, data, filename)
                blocked = not report.valid_rows or (options["strict"] and report.errors)
                if not blocked:
                    token = stashed
                form = ResultsImportForm(initial=options, kept_file=filename)
    lang = current_lang()
    return TemplateResponse(
        request,
        "admin/credentials/programme/results_import.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": _("Import results: %(title)s (v%(number)s)")
            % {"title": version.title_in(lang), "number": version.number},
            "version": version,
            "programme": version.programme,
            "form": form,
            "report": report,
            "token": token,
            "kept_token": kept[0] if kept else "",
            "kept_name": kept[2] if kept else "",
            "allowed": [
                (COLUMN_LABELS[key], values)
                for key, values in allowed_values(version, lang).items()
            ],
            "template_url": reverse("admin:credentials_programme_template", args=[version.pk]),
            "columns": [
                (key, COLUMN_LABELS[key], _japanese_headers(key), key in REQUIRED_COLUMNS)
                for key in COLUMN_LABELS
            ],
            "editor_url": reverse(
                "admin:credentials_programme_change", args=[version.programme_id]
            ),
        },
    )
