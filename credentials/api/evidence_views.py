"""POST /api/v1/assessments/{id}/evidence/: an LMS hands over the file a learner produced, so
that the badge names it with its digest and the portal keeps it (docs/api.md)."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, serializers, status
from rest_framework.response import Response

from credentials import selectors
from credentials.services.evidence import attach_evidence_file, digest_multibase

from .views import ERRORS, ApiView, _valid


class EvidenceInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, PNG, JPEG or ZIP, at most 20 MB.")
    genre = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="e.g. Report, Portfolio"
    )


class EvidenceOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    genre = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    digest_multibase = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_digest_multibase(self, evidence) -> str:
        return digest_multibase(evidence.sha256)

    def get_url(self, evidence) -> str:
        path = reverse(
            "badges:evidence-file",
            kwargs={"public_id": evidence.public_id, "filename": evidence.name},
        )
        return settings.PORTAL_BASE_URL.rstrip("/") + path


class AssessmentEvidenceView(ApiView):
    required_scopes = {"POST": "assessments:write"}
    parser_classes = (parsers.MultiPartParser,)

    @extend_schema(
        operation_id="assessments_evidence",
        request={"multipart/form-data": EvidenceInputSerializer},
        responses={201: EvidenceOutputSerializer, **ERRORS},
        description="Attach an evidence file to an assessment. Files attached before the award "
        "is issued go into its badge's `evidence` with a `digestMultibase`.",
    )
    def post(self, request, id):
        assessment = get_object_or_404(selectors.assessments_for_user(request.user), pk=id)
        data = _valid(EvidenceInputSerializer, request.data)
        evidence = attach_evidence_file(
            actor=request.user,
            assessment=assessment,
            upload=data["file"],
            genre=data.get("genre", ""),
            request=request,
        )
        return Response(EvidenceOutputSerializer(evidence).data, status=status.HTTP_201_CREATED)
