"""API views: authenticate the client, translate with serializers, call services/selectors.

Every query starts from a selector scoped to the client's service account, so another
issuer's objects are simply not found (404).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api_params import BoundedCursorPagination
from common.idempotency import idempotent
from common.problems import Unprocessable
from credentials import selectors, services
from credentials.models import ProgrammeVersion
from credentials.services import award_lifecycle as lifecycle

from . import serializers as s

PROBLEM = OpenApiResponse(description="application/problem+json (RFC 9457)")
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Retries with the same key and body return the first response.",
)
ERRORS = {
    **{code: PROBLEM for code in (400, 401, 403, 404, 422, 429)},
    413: OpenApiResponse(description="application/problem+json: the body is over the limit"),
}


class ApiView(APIView):
    required_scopes: dict = {}

    @property
    def issuer(self):
        return self.request.auth.issuer


class Pagination(BoundedCursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class ProgramPagination(Pagination):
    ordering = "id"


class AwardPagination(Pagination):
    # Oldest change first, so that `updated_since` + cursor walk forwards through changes.
    ordering = ("updated_at", "id")


def _programmes(user):
    return selectors.programmes_for_user(user)


def _programme(user, pk) -> object:
    return get_object_or_404(_programmes(user), pk=pk)


def _published_version(programme) -> ProgrammeVersion:
    version = programme.published_version
    if version is None:
        raise Unprocessable(_("This programme has no published version."))
    return version


class ProgramListView(ApiView):
    # Declared (not only instantiated in get) so that the OpenAPI document describes the page.
    pagination_class = ProgramPagination
    required_scopes = {"GET": "programs:read", "POST": "programs:write"}

    @extend_schema(
        operation_id="programs_list",
        responses={200: s.ProgramOutputSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        paginator = ProgramPagination()
        page = paginator.paginate_queryset(_programmes(request.user), request, view=self)
        return paginator.get_paginated_response(s.ProgramOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="programs_create",
        request=s.ProgramInputSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: s.ProgramOutputSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request):
        data = _valid(s.ProgramInputSerializer, request.data, issuer=self.issuer)
        programme = services.create_programme(
            actor=request.user, issuer=self.issuer, request=request, **data
        )
        programme = _programme(request.user, programme.pk)
        return Response(s.ProgramOutputSerializer(programme).data, status=status.HTTP_201_CREATED)


class ProgramDetailView(ApiView):
    required_scopes = {"GET": "programs:read", "PATCH": "programs:write"}

    @extend_schema(
        operation_id="programs_retrieve", responses={200: s.ProgramOutputSerializer, **ERRORS}
    )
    def get(self, request, id):
        return Response(s.ProgramOutputSerializer(_programme(request.user, id)).data)

    @extend_schema(
        operation_id="programs_partial_update",
        request=s.ProgramUpdateInputSerializer,
        responses={200: s.ProgramOutputSerializer, **ERRORS},
    )
    def patch(self, request, id):
        programme = _programme(request.user, id)
        data = _valid(
            s.ProgramUpdateInputSerializer,
            request.data,
            issuer=self.issuer,
            current_descriptors=programme.latest_version.descriptors,
        )
        services.revise_programme(actor=request.user, programme=programme, request=request, **data)
        return Response(s.ProgramOutputSerializer(_programme(request.user, id)).data)


class ProgramPublishView(ApiView):
    required_scopes = {"POST": "programs:write"}

    @extend_schema(
        operation_id="programs_publish",
        request=s.PublishInputSerializer,
        parameters=[IDEMPOTENCY],
        responses={200: s.ProgramOutputSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, id):
        programme = _programme(request.user, id)
        _valid(s.PublishInputSerializer, request.data)
        version = programme.latest_version
        report = selectors.programme_report(version)
        if not version.is_published and not (report.is_valid and report.is_micro_credential):
            # The service refuses too; this gives the client the problems per descriptor.
            raise Unprocessable(
                _("The programme cannot be published:"),
                errors={
                    f"descriptors.{key}" if not key.startswith("rules.") else key: messages
                    for key, messages in s.report_errors(report, include_missing=True).items()
                }
                or {"descriptors": [_("This is not a micro-credential (no real assessment).")]},
            )
        services.publish_programme(actor=request.user, programme=programme, request=request)
        return Response(s.ProgramOutputSerializer(_programme(request.user, id)).data)


class LearnerUpsertView(ApiView):
    required_scopes = {"PUT": "learners:write"}

    @extend_schema(
        operation_id="learners_upsert",
        request=s.LearnerInputSerializer,
        responses={200: s.LearnerOutputSerializer, **ERRORS},
    )
    def put(self, request):
        data = _valid(s.LearnerInputSerializer, request.data)
        issuer = self.issuer
        learner = services.register_learner(
            actor=request.user, issuer=issuer, request=request, **data
        )
        # Only what this issuer recorded: another issuer's names of the learner never leave.
        name = selectors.learner_name_for(learner, issuer)
        return Response(
            s.LearnerOutputSerializer(
                {"id": learner.pk, "email": learner.email, "name_ja": name.ja, "name_en": name.en}
            ).data
        )


class AssessmentCreateView(ApiView):
    required_scopes = {"POST": "assessments:write"}

    @extend_schema(
        operation_id="assessments_create",
        request=s.AssessmentInputSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: s.AssessmentOutputSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request):
        data = _valid(s.AssessmentInputSerializer, request.data)
        version = _published_version(_programme(request.user, data.pop("program")))
        learner = get_object_or_404(
            selectors.learners_for_user(request.user), email=data.pop("learner_email").lower()
        )
        assessment = services.record_assessment(
            actor=request.user, learner=learner, programme_version=version, request=request, **data
        )
        return Response(
            s.AssessmentOutputSerializer(assessment).data, status=status.HTTP_201_CREATED
        )


def _awards(user):
    return selectors.with_learner_names(selectors.awards_for_user(user))


class AwardListView(ApiView):
    pagination_class = AwardPagination
    required_scopes = {"GET": "awards:read", "POST": "awards:write"}

    @extend_schema(
        operation_id="awards_list",
        parameters=[s.AwardFilterInputSerializer],
        responses={200: s.AwardOutputSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        filters = _valid(s.AwardFilterInputSerializer, request.query_params)
        awards = _awards(request.user)
        if "program" in filters:
            awards = awards.filter(programme_version__programme_id=filters["program"])
        if "status" in filters:
            awards = awards.filter(effective_status=filters["status"])
        if "learner" in filters:
            awards = awards.filter(learner__email=filters["learner"].lower())
        if "updated_since" in filters:
            awards = awards.filter(updated_at__gte=filters["updated_since"])
        paginator = AwardPagination()
        page = paginator.paginate_queryset(awards, request, view=self)
        return paginator.get_paginated_response(s.AwardOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="awards_create",
        request=s.AwardInputSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: s.AwardOutputSerializer, 200: s.AwardOutputSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request):
        data = _valid(s.AwardInputSerializer, request.data)
        version = _published_version(_programme(request.user, data["program"]))
        if "assessment" in data and "assessments:write" not in request.auth.scopes:
            raise exceptions.PermissionDenied(
                _("This API token lacks the scope: %(scopes)s.") % {"scopes": "assessments:write"}
            )
        learner = services.register_learner(
            actor=request.user, issuer=self.issuer, request=request, **data["learner"]
        )
        if "assessment" in data:
            assessment = services.record_assessment(
                actor=request.user,
                learner=learner,
                programme_version=version,
                request=request,
                **data["assessment"],
            )
        else:
            assessment = selectors.latest_assessments(version).get(learner.pk)
            if assessment is None:
                raise Unprocessable(
                    _("The learner has no assessment under this programme; send one."),
                    errors={"assessment": [_("This field is required.")]},
                )
        existed = _awards(request.user).filter(learner=learner, programme_version=version).exists()
        award = services.issue_award(actor=request.user, assessment=assessment, request=request)
        award = _awards(request.user).get(pk=award.pk)
        return Response(
            s.AwardOutputSerializer(award).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class AwardDetailView(ApiView):
    required_scopes = {"GET": "awards:read"}

    @extend_schema(
        operation_id="awards_retrieve", responses={200: s.AwardOutputSerializer, **ERRORS}
    )
    def get(self, request, id):
        award = get_object_or_404(_awards(request.user), public_id=id)
        return Response(s.AwardOutputSerializer(award).data)


class AwardRevokeView(ApiView):
    required_scopes = {"POST": "awards:revoke"}

    @extend_schema(
        operation_id="awards_revoke",
        request=s.RevokeInputSerializer,
        parameters=[IDEMPOTENCY],
        responses={200: s.AwardOutputSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, id):
        award = get_object_or_404(_awards(request.user), public_id=id)
        data = _valid(s.RevokeInputSerializer, request.data)
        services.revoke_award(
            actor=request.user, award=award, reason=data["reason"], request=request
        )
        award = _awards(request.user).get(pk=award.pk)
        return Response(s.AwardOutputSerializer(award).data)


def _valid(serializer_class, data, **context) -> dict:
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class AwardSuspendView(ApiView):
    required_scopes = {"POST": "awards:revoke"}

    @extend_schema(
        operation_id="awards_suspend",
        request=s.SuspendInputSerializer,
        parameters=[IDEMPOTENCY],
        responses={200: s.AwardOutputSerializer, **ERRORS},
        description="Suspend an issued award: its badge's suspension status bit is set "
        "(docs/award-lifecycle.md). The learner is told by mail.",
    )
    @idempotent
    def post(self, request, id):
        award = get_object_or_404(_awards(request.user), public_id=id)
        data = _valid(s.SuspendInputSerializer, request.data)
        lifecycle.suspend_award(
            actor=request.user, award=award, reason=data["reason"], request=request
        )
        return Response(s.AwardOutputSerializer(_awards(request.user).get(pk=award.pk)).data)


class AwardReinstateView(ApiView):
    required_scopes = {"POST": "awards:revoke"}

    @extend_schema(
        operation_id="awards_reinstate",
        request=s.ReinstateInputSerializer,
        parameters=[IDEMPOTENCY],
        responses={200: s.AwardOutputSerializer, **ERRORS},
        description="Lift a suspension: the badge verifies as valid again.",
    )
    @idempotent
    def post(self, request, id):
        award = get_object_or_404(_awards(request.user), public_id=id)
        data = _valid(s.ReinstateInputSerializer, request.data)
        lifecycle.reinstate_award(
            actor=request.user, award=award, reason=data["reason"], request=request
        )
        return Response(s.AwardOutputSerializer(_awards(request.user).get(pk=award.pk)).data)


class AwardReissueView(ApiView):
    required_scopes = {"POST": ("awards:write", "awards:revoke")}

    @extend_schema(
        operation_id="awards_reissue",
        request=s.ReissueInputSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: s.AwardOutputSerializer, **ERRORS},
        description="Replace an issued award by a corrected one (names as this issuer records "
        "them may be corrected): the original is revoked as superseded and the new award, "
        "returned here, names it in `supersedes`.",
    )
    @idempotent
    def post(self, request, id):
        award = get_object_or_404(_awards(request.user), public_id=id)
        data = _valid(s.ReissueInputSerializer, request.data)
        replacement = lifecycle.reissue_award(
            actor=request.user,
            award=award,
            reason=data["reason"],
            name_ja=data.get("name_ja"),
            name_en=data.get("name_en"),
            request=request,
        )
        body = s.AwardOutputSerializer(_awards(request.user).get(pk=replacement.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)
