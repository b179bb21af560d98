"""One grid to enter a programme version's results: a row per learner, new learners below."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from credentials import selectors, services
from credentials.forms import AssessmentGridFormSet
from credentials.models import Assessment, Programme
from credentials.services.assessments import declared_methods
from frameworks.i18n import current_lang
from frameworks.selectors import get_default_framework, vocabulary_index
from issuers.permissions import Action

from .common import add_service_error, visible_version

EXTRA_ROWS = 5
COMPARED_FIELDS = ("result", "score", "grade", "method", "evidence_url")


class _Rollback(Exception):
    """Raised to undo a grid submission in which some row failed."""


def _initial_rows(version) -> list[dict]:
    latest = selectors.latest_assessments(version)
    issuer = version.programme.issuer
    numbers = selectors.student_numbers(issuer, latest)
    names = selectors.learner_names_for(latest, issuer)  # this issuer's own, one query
    rows = []
    for assessment in sorted(
        latest.values(), key=lambda a: (numbers.get(a.learner_id) or "", a.learner.email)
    ):
        learner = assessment.learner
        name = names.get(learner.pk, selectors.NO_NAME)
        rows.append(
            {
                "learner_id": learner.pk,
                "email": learner.email,
                "name_ja": name.ja,
                "name_en": name.en,
                "student_number": numbers.get(learner.pk, ""),
                **{name: getattr(assessment, name) for name in COMPARED_FIELDS},
                "assessed_on": assessment.assessed_on,
            }
        )
    return rows


def _method_choices(version) -> list[tuple[str, str]]:
    vocabularies = vocabulary_index(version.framework or get_default_framework())
    lang = current_lang()
    return [
        (code, vocabularies.label("assessment_types", code, lang))
        for code in declared_methods(version)
    ]


def _unchanged(version, learner, data) -> bool:
    current = Assessment.objects.filter(
        learner=learner, programme_version=version, assessed_on=data["assessed_on"]
    ).first()
    return current is not None and all(
        getattr(current, name) == data[name] for name in COMPARED_FIELDS
    )


def _save_row(request, version, data, propose: bool) -> bool:
    """Record one row through the services; False when it is unchanged."""
    issuer = version.programme.issuer
    if data.get("learner_id"):
        learner = (
            selectors.learners_for_user(request.user, Action.RECORD_ASSESSMENT)
            .filter(pk=data["learner_id"], enrolments__issuer=issuer)
            .first()
        )
        if learner is None:
            raise PermissionDenied(_("This learner is not registered at this issuer."))
    else:
        learner = services.register_learner(
            actor=request.user,
            issuer=issuer,
            email=data["email"],
            name_ja=data["name_ja"],
            name_en=data["name_en"],
            student_number=data["student_number"],
            request=request,
        )
    if _unchanged(version, learner, data):
        return False
    assessment = services.record_assessment(
        actor=request.user,
        learner=learner,
        programme_version=version,
        result=data["result"],
        assessed_on=data["assessed_on"],
        method=data["method"],
        score=data["score"],
        grade=data["grade"],
        evidence_url=data["evidence_url"],
        request=request,
    )
    if propose and assessment.passed:
        services.propose_award(actor=request.user, assessment=assessment, request=request)
    return True


def _save_grid(request, version, formset) -> int | None:
    """Save every row in one transaction; None (and nothing saved) if any row fails."""
    propose = request.POST.get("propose_awards") == "on"
    saved = 0
    try:
        with transaction.atomic():
            failed = False
            for form in formset.forms:
                if form.is_blank:
                    continue
                try:
                    saved += _save_row(request, version, form.cleaned_data, propose)
                except ValidationError as error:
                    add_service_error(form, error)
                    failed = True
                except PermissionDenied as error:
                    form.add_error(None, str(error))
                    failed = True
            if failed:
                raise _Rollback
    except _Rollback:
        return None
    return saved


def assessment_grid_view(model_admin, request, version_id: int):
    version = visible_version(request, version_id, Action.RECORD_ASSESSMENT)
    editor_url = reverse("admin:credentials_programme_change", args=[version.programme_id])
    if not version.is_published or version.programme.status == Programme.Status.RETIRED:
        model_admin.message_user(
            request, _("Results are entered for a published, current version."), messages.ERROR
        )
        return redirect(editor_url)
    initial = _initial_rows(version)
    extra = request.GET.get("extra", "")
    extra = min(int(extra), 100) if extra.isdigit() else EXTRA_ROWS
    initial += [{"method": (declared_methods(version) or [""])[0]}] * extra
    form_kwargs = {"methods": _method_choices(version)}
    if request.method == "POST":
        formset = AssessmentGridFormSet(request.POST, initial=initial, form_kwargs=form_kwargs)
        if formset.is_valid():
            saved = _save_grid(request, version, formset)
            if saved is not None:
                model_admin.message_user(
                    request,
                    _("%(count)s rows saved.") % {"count": saved},
                    messages.SUCCESS,
                )
                return redirect(request.path)
    else:
        formset = AssessmentGridFormSet(initial=initial, form_kwargs=form_kwargs)
    lang = current_lang()
    return TemplateResponse(
        request,
        "admin/credentials/programme/assessment_grid.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": _("Results: %(title)s (v%(number)s)")
            % {"title": version.title_in(lang), "number": version.number},
            "version": version,
            "programme": version.programme,
            "formset": formset,
            "editor_url": editor_url,
        },
    )
