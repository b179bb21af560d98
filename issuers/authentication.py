"""DRF pieces for API clients: bearer authentication, scope permission, rate limits (per
token, per client address) that plain Django views use too."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.settings import api_settings

from .api_clients import client_for_token, touch
from .client_ip import client_ip


class ApiClientAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer mcp_…`: request.user is the client's service account and
    request.auth the ApiClient."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header."))
        try:
            token = header[1].decode("ascii")
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header.")) from error
        client = client_for_token(token)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or inactive API token."))
        touch(client)
        return client.user, client

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class HasScopes(permissions.BasePermission):
    """The view's `required_scopes` ({HTTP method: scope or tuple of scopes}) must all be held.

    Fails closed: a method the view answers but whose scope it does not declare is refused.
    HEAD runs the GET handler, so it needs GET's scope; OPTIONS answers only DRF's metadata
    (names and media types, no records) and needs none. A method the view has no handler for
    is let through so that the view answers 405."""

    message = _("This API token lacks the scope this request needs.")
    SCOPE_FREE_METHODS = frozenset({"OPTIONS"})

    def has_permission(self, request, view):
        client = getattr(request, "auth", None)
        if client is None or not hasattr(client, "scopes"):
            return False
        method = request.method.upper()
        if method in self.SCOPE_FREE_METHODS:
            return True
        if method.lower() not in getattr(view, "http_method_names", ()) or not hasattr(
            view, method.lower()
        ):
            return True  # no handler: the view answers 405 Method Not Allowed
        declared = getattr(view, "required_scopes", {})
        needed = declared.get(method, declared.get("GET") if method == "HEAD" else None)
        if needed is None:
            self.message = _("This API token lacks the scope this request needs.")
            return False
        needed = (needed,) if isinstance(needed, str) else tuple(needed)
        missing = [scope for scope in needed if scope not in client.scopes]
        if missing:
            self.message = _("This API token lacks the scope: %(scopes)s.") % {
                "scopes": ", ".join(missing)
            }
            return False
        return True


class LiveRateThrottle(throttling.SimpleRateThrottle):
    """A rate limit counted in the cache: REST_FRAMEWORK's DEFAULT_THROTTLE_RATES[scope] (None
    turns it off). Used by API views and, through allow_request(request, None), by pages."""

    def get_rate(self):
        # DRF binds THROTTLE_RATES at import; read the settings live so that they can be changed.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # DRF's get_ident honours NUM_PROXIES too; the portal has one client_ip() for everything.
        return client_ip(request) or "unknown"


class ClientAddressThrottle(LiveRateThrottle):
    """Per client address (issuers.client_ip), authenticated or not."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ApiClientRateThrottle(LiveRateThrottle):
    """Per token, not per IP: many clients may share one LMS host."""

    scope = "api_client"

    def get_cache_key(self, request, view):
        client = getattr(request, "auth", None)
        if client is None or not hasattr(client, "pk"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}


class VerifyRateThrottle(ClientAddressThrottle):
    """The public verifier fetches URLs for anyone: limit it per address."""

    scope = "verify"
