"""POST /api/v1/verify/: anyone may verify a badge; no credentials, rate-limited per address."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from badges.forms import MAX_UPLOAD_BYTES
from badges.verification import verify_badge
from badges.verification.portal import verification_fetcher
from common.body_limits import MULTIPART_SLACK
from issuers.authentication import VerifyRateThrottle

INPUTS = ("url", "json", "jws", "file")


class VerifyInputSerializer(serializers.Serializer):
    url = serializers.URLField(required=False, max_length=2000)
    json = serializers.JSONField(required=False)
    jws = serializers.CharField(required=False, max_length=200_000)
    file = serializers.FileField(required=False, help_text="A baked PNG or SVG badge.")
    email = serializers.EmailField(required=False, help_text="Check the badge is for this e-mail.")

    def validate(self, attrs):
        given = [name for name in INPUTS if attrs.get(name) not in (None, "")]
        if len(given) != 1:
            raise serializers.ValidationError(_("Send exactly one of url, json, jws or file."))
        return attrs


class VerifyCheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.CharField()
    message_ja = serializers.CharField()
    message_en = serializers.CharField()
    detail = serializers.CharField(required=False)


class VerifyOutputSerializer(serializers.Serializer):
    format = serializers.CharField(allow_null=True)
    version = serializers.CharField(allow_null=True)
    verdict = serializers.ChoiceField(
        choices=["valid", "invalid", "error", "revoked", "expired", "recipient_mismatch"]
    )
    checks = VerifyCheckSerializer(many=True)
    issuer = serializers.DictField()
    achievement = serializers.DictField()
    descriptors = serializers.DictField()
    recipient = serializers.DictField()
    valid_from = serializers.CharField(allow_null=True)
    valid_until = serializers.CharField(allow_null=True)
    source = serializers.CharField(allow_null=True)
    document = serializers.JSONField(allow_null=True)


class VerifyView(APIView):
    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    throttle_classes = (VerifyRateThrottle,)
    parser_classes = (parsers.JSONParser, parsers.MultiPartParser)
    max_body_bytes = MAX_UPLOAD_BYTES + MULTIPART_SLACK  # common.body_limits: a baked image

    @classmethod
    def as_view(cls, **initkwargs):
        # Verification may fetch remote URLs; don't hold a database transaction open meanwhile.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    @extend_schema(
        operation_id="verify",
        auth=[],
        request={
            "application/json": VerifyInputSerializer,
            "multipart/form-data": VerifyInputSerializer,
        },
        responses={
            200: VerifyOutputSerializer,
            400: OpenApiResponse(description="application/problem+json (RFC 9457)"),
            413: OpenApiResponse(description="application/problem+json: over 5 MB"),
            429: OpenApiResponse(description="application/problem+json (RFC 9457)"),
        },
    )
    def post(self, request):
        serializer = VerifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        name = next(name for name in INPUTS if data.get(name) not in (None, ""))
        value = data[name].read() if name == "file" else data[name]
        result = verify_badge(value, email=data.get("email"), fetcher=verification_fetcher())
        return Response(_OUTPUT.to_representation(result.as_dict()))


# One output serializer for every request: DRF deep-copies a serializer's declared fields for
# each new instance (≈ 0.3 ms of a verification here); to_representation keeps no state.
_OUTPUT = VerifyOutputSerializer()
