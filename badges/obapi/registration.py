"""Dynamic client registration (RFC 7591) as the OB 3.0 API asks for it (§7.3): a client
posts its metadata and gets a client id and secret for the authorisation code grant."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model


class RegistrationError(Exception):
    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def _redirect_uris(value) -> list[str]:
    if not isinstance(value, list) or not value:
        raise RegistrationError("invalid_redirect_uri", "redirect_uris must be a non-empty list")
    for uri in value:
        parts = urlsplit(uri) if isinstance(uri, str) else None
        if not parts or parts.scheme != "https" or not parts.hostname or parts.fragment:
            raise RegistrationError("invalid_redirect_uri", f"{uri!r}: an https URI, no fragment")
    return value


def _scope(value) -> str:
    known = set(settings.OAUTH2_PROVIDER["SCOPES"])
    asked = (value or " ".join(settings.OAUTH2_PROVIDER["DEFAULT_SCOPES"])).split()
    unknown = [scope for scope in asked if scope not in known]
    if unknown:
        raise RegistrationError("invalid_client_metadata", f"unknown scopes: {' '.join(unknown)}")
    return " ".join(asked)


@transaction.atomic
def register_client(metadata) -> tuple[object, str, dict]:
    """(the application, its secret in clear — shown once, the registered metadata)."""
    if not isinstance(metadata, dict):
        raise RegistrationError("invalid_client_metadata", "the body must be a JSON object")
    name = metadata.get("client_name")
    if not isinstance(name, str) or not name.strip():
        raise RegistrationError("invalid_client_metadata", "client_name is required")
    redirect_uris = _redirect_uris(metadata.get("redirect_uris"))
    scope = _scope(metadata.get("scope"))
    if set(metadata.get("grant_types") or ["authorization_code"]) - {
        "authorization_code",
        "refresh_token",
    }:
        raise RegistrationError(
            "invalid_client_metadata", "grant_types: authorization_code, refresh_token"
        )
    application_model = get_application_model()
    secret = generate_client_secret()
    application = application_model.objects.create(
        name=name.strip()[:255],
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        client_secret=secret,
        skip_authorization=False,
    )
    registered = {
        "client_name": application.name,
        "client_uri": metadata.get("client_uri"),
        "logo_uri": metadata.get("logo_uri"),
        "tos_uri": metadata.get("tos_uri"),
        "policy_uri": metadata.get("policy_uri"),
        "software_id": metadata.get("software_id"),
        "software_version": metadata.get("software_version"),
        "redirect_uris": redirect_uris,
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": scope,
    }
    return application, secret, {k: v for k, v in registered.items() if v is not None}
