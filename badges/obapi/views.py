"""/ims/ob/v3p0/…: discovery, registration, the consent screen, the learner's credentials and
profile. Token, refresh and revocation are django-oauth-toolkit's own views (badges/urls_obapi)."""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.views import AuthorizationView

from badges import ob3
from badges.models import BadgeRecord
from badges.obapi.accounts import learner_for_user, user_for_learner
from badges.obapi.apps import connected_apps, withdraw_access
from badges.obapi.registration import RegistrationError, register_client
from credentials.models import Award, Learner
from credentials.selectors import own_learner_name, session_learner_id

SCOPE = settings.OB_API_SCOPE
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
AFTER_SIGN_IN = "after_sign_in"  # the learner area sends the learner back here after signing in


def _base() -> str:
    return settings.PORTAL_BASE_URL.rstrip("/")


def _json(body, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        body, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "no-store"
    return response


def _error(code: str, description: str, status: int = 400) -> JsonResponse:
    return _json({"error": code, "error_description": description}, status)


@require_safe
def discovery(request):
    """The OB 3.0 API's service description document (§7.2): OpenAPI with the OAuth 2.0
    security scheme and the registration URL."""
    api = _base() + "/ims/ob/v3p0"
    scopes = settings.OAUTH2_PROVIDER["SCOPES"]
    document = {
        "openapi": "3.0.1",
        "info": {
            "title": "MC Portal Open Badges 3.0 API",
            "version": "3.0",
            "termsOfService": _base() + "/",
            "x-imssf-privacyPolicyUrl": _base() + "/",
        },
        "servers": [{"url": api, "description": "MC Portal"}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Discovery"}],
        "paths": {
            "/credentials": {
                "get": {
                    "tags": ["OpenBadgeCredentials"],
                    "operationId": "getCredentials",
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1},
                        },
                        {
                            "name": "offset",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0},
                        },
                        {
                            "name": "since",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                    ],
                    "security": [{"OAuth2ACG": [SCOPE + "credential.readonly"]}],
                    "responses": {"200": {"description": "GetOpenBadgeCredentialsResponse"}},
                }
            },
            "/profile": {
                "get": {
                    "tags": ["OpenBadgeCredentials"],
                    "operationId": "getProfile",
                    "security": [{"OAuth2ACG": [SCOPE + "profile.readonly"]}],
                    "responses": {"200": {"description": "Profile"}},
                }
            },
            "/discovery": {
                "get": {
                    "tags": ["Discovery"],
                    "operationId": "getServiceDescription",
                    "responses": {"200": {"description": "This document"}},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 authorization code grant with PKCE (S256)",
                    "x-imssf-registrationUrl": api + "/register",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": api + "/authorize",
                            "tokenUrl": api + "/token",
                            "refreshUrl": api + "/token",
                            "x-imssf-revocationUrl": api + "/revoke",
                            "scopes": scopes,
                        }
                    },
                }
            }
        },
    }
    return _json(document)


@csrf_exempt
@require_POST
def register(request):
    try:
        metadata = json.loads(request.body or b"null")
    except ValueError:
        metadata = None
    try:
        application, secret, registered = register_client(metadata)
    except RegistrationError as error:
        return _error(error.code, error.description)
    body = {
        "client_id": application.client_id,
        "client_secret": secret,
        "client_id_issued_at": int(application.created.timestamp()),
        "client_secret_expires_at": 0,
        **registered,
    }
    return _json(body, 201)


class LearnerAuthorizationView(AuthorizationView):
    """The consent screen, for the learner signed in to the learner area (not a staff login)."""

    template_name = "badges/obapi_authorize.html"

    def dispatch(self, request, *args, **kwargs):
        learner_id = session_learner_id(request.session)
        learner = Learner.objects.filter(pk=learner_id).first() if learner_id else None
        if learner is None:
            request.session[AFTER_SIGN_IN] = request.get_full_path()
            return redirect(reverse("credentials:learner-sign-in"))
        request.user = user_for_learner(learner)
        return super().dispatch(request, *args, **kwargs)


def _authorised(request, scope: str):
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[SCOPE + scope])
    if not valid:
        # DOT says why on the request: a valid token without the scope is 403, not 401.
        error = getattr(oauth_request, "oauth2_error", {}) or {}
        if error.get("error") == "insufficient_scope":
            return None, _error("insufficient_scope", f"this needs the {scope} scope", 403)
        response = _error("invalid_token", "a valid Bearer access token is required", 401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return None, response
    learner = learner_for_user(oauth_request.user)
    if learner is None:
        return None, _error("invalid_token", "the token is not a learner's", 401)
    return learner, None


def _int(value, default: int, lowest: int, highest: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(lowest, min(highest, number))


def _link(path: str, limit: int, offset: int, total: int) -> str:
    pages = {"first": 0, "last": max(0, (total - 1) // limit * limit)}
    if offset + limit < total:
        pages["next"] = offset + limit
    if offset > 0:
        pages["prev"] = max(0, offset - limit)
    return ", ".join(
        f'<{_base()}{path}?{urlencode({"limit": limit, "offset": at})}>; rel="{rel}"'
        for rel, at in pages.items()
    )


@require_safe
def credentials(request):
    learner, refusal = _authorised(request, "credential.readonly")
    if refusal is not None:
        return refusal
    records = (
        BadgeRecord.objects.filter(award__learner=learner, award__status=Award.Status.ISSUED)
        .exclude(ob3_credential={})
        .order_by("award__issued_at", "pk")
    )
    limit = _int(request.GET.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int(request.GET.get("offset"), 0, 0, 10**9)
    total = records.count()
    page = [record.ob3_credential for record in records[offset : offset + limit]]
    response = _json({"credential": page})
    response["X-Total-Count"] = str(total)
    response["Link"] = _link(request.path, limit, offset, total)
    return response


@require_safe
def profile(request):
    learner, refusal = _authorised(request, "profile.readonly")
    if refusal is not None:
        return refusal
    body = {
        "@context": [ob3.VC_V2, ob3.OB_V3P0],
        "type": ["Profile"],
        "id": f"mailto:{learner.email}",
        "email": learner.email,
    }
    name = own_learner_name(learner).in_lang("ja")
    if name:
        body["name"] = name
    return _json(body)


@require_http_methods(["GET", "POST"])
def learner_apps(request):
    """The apps the signed-in learner let read their credentials; POST withdraws one."""
    learner_id = session_learner_id(request.session)
    learner = Learner.objects.filter(pk=learner_id).first() if learner_id else None
    if learner is None:
        request.session[AFTER_SIGN_IN] = request.get_full_path()
        return redirect(reverse("credentials:learner-sign-in"))
    if request.method == "POST":
        withdraw_access(
            learner=learner,
            application_id=_int(request.POST.get("application"), 0, 0, 2**31 - 1),
            request=request,
        )
        return redirect(reverse("badges:learner-apps"))
    return render(request, "badges/obapi_apps.html", {"apps": connected_apps(learner)})
