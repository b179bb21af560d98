"""/api/v1/webhooks/: an API client manages its issuer's webhook endpoints (scope
webhooks:manage). The signing secret is in the response to POST only."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.idempotency import idempotent

from . import webhooks
from .models import WebhookEndpoint

PROBLEM = OpenApiResponse(description="application/problem+json (RFC 9457)")
ERRORS = {
    **{code: PROBLEM for code in (400, 401, 403, 404, 422, 429)},
    413: OpenApiResponse(description="application/problem+json: the body is over the limit"),
}


class WebhookInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=webhooks.EVENTS), min_length=1, max_length=3
    )


class WebhookOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=webhooks.EVENTS))
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookCreatedSerializer(WebhookOutputSerializer):
    secret = serializers.CharField(help_text="Shown once: keep it to verify signatures.")


def _endpoints(request):
    return WebhookEndpoint.objects.filter(issuer=request.auth.issuer).order_by("id")


class WebhookListView(APIView):
    required_scopes = {"GET": "webhooks:manage", "POST": "webhooks:manage"}

    @extend_schema(
        operation_id="webhooks_list",
        responses={200: WebhookOutputSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        return Response(WebhookOutputSerializer(_endpoints(request), many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        request=WebhookInputSerializer,
        responses={201: WebhookCreatedSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request):
        serializer = WebhookInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = webhooks.register_endpoint(
            actor=request.user, issuer=request.auth.issuer, request=request, **serializer.data
        )
        body = {**WebhookOutputSerializer(endpoint).data, "secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    required_scopes = {"DELETE": "webhooks:manage"}

    @extend_schema(operation_id="webhooks_destroy", responses={204: None, **ERRORS})
    def delete(self, request, id):
        endpoint = get_object_or_404(_endpoints(request), pk=id)
        webhooks.delete_endpoint(actor=request.user, endpoint=endpoint, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
