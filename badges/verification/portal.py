"""The portal's own documents, answered in-process instead of over HTTP.

A portal-issued credential names the portal's own URLs (its issuer's did:web document, its
status list, …). Fetching them over HTTP would make one verify request occupy several request
slots of the same server (and deadlock a busy one), so :class:`PortalFetcher` answers URLs on
the portal's own origin (``PORTAL_BASE_URL``) by calling the very view that serves them over
HTTP — same selectors, same builders, same bytes — and hands every other URL to the
:class:`~badges.verification.fetch.SafeFetcher`.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, QueryDict
from django.urls import Resolver404, resolve, reverse

from badges.verification import portal_cache
from badges.verification.fetch import FetchError, FetchResponse, SafeFetcher
from badges.verification.portal_cache import Served

logger = logging.getLogger(__name__)

# Public JSON documents a verifier dereferences (badges/urls_ob2.py, badges/urls_ob3.py).
# Any other portal URL (pages, images, admin) still goes through the SafeFetcher.
DOCUMENT_ROUTES = frozenset(
    {
        "badges:did-document",
        "badges:status-list",
        "badges:ob3-credential",
        "badges:ob3-credential-jwt",
        "badges:ob3-achievement",
        "badges:ob3-endorsement",
        "badges:mc-context",
        "badges:ob2-issuer",
        "badges:ob2-issuer-key",
        "badges:ob2-badgeclass-key",
        "badges:ob2-revocations",
        "badges:ob2-key",
        "badges:ob2-badgeclass",
        "badges:ob2-assertion",
        "badges:ob2-endorsement",
        "badges:ob2-extension-context",
    }
)
# Pages and downloads of the portal that stand for one of its documents: resolved in-process to
# that document's canonical URL (the credential page a QR code or LinkedIn link carries, the
# page's "OB 2.0 assertion (JSON)" download, a baked image's URL), so that whatever form of a
# portal badge an employer pastes, the verifier checks the very document, under its own id.
ALIASES = {
    "badges:credential-page": ("badges:ob3-credential", None),
    "badges:credential-ob2-json": ("badges:ob2-assertion", None),
    "badges:baked-jwt-image": ("badges:ob3-credential-jwt", None),
    "badges:baked-image": (None, {"ob2": "badges:ob2-assertion", "ob3": "badges:ob3-credential"}),
}
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return scheme, host.rstrip(".").lower(), port or _DEFAULT_PORTS[scheme]


def portal_path(url: str, base_url: str | None = None) -> str | None:
    """The path (below the portal's base path) of ``url`` when it is on the portal's own origin,
    else None. Userinfo in the URL is never ours."""
    base_url = base_url or settings.PORTAL_BASE_URL
    origin = _origin(url)
    if origin is None or origin != _origin(base_url):
        return None
    parts, base = urlsplit(url), urlsplit(base_url)
    if parts.username is not None or parts.password is not None:
        return None
    prefix = base.path.rstrip("/")
    path = parts.path or "/"
    if prefix:
        if not path.startswith(prefix + "/"):
            return None
        path = path[len(prefix) :]
    return path


def verification_fetcher() -> PortalFetcher:
    """What the verify page and API use: the portal's documents in-process, the rest through a
    SafeFetcher (loopback only where a deployment, a test or the benchmark asks for it)."""
    return PortalFetcher(
        SafeFetcher(allow_loopback=getattr(settings, "VERIFY_ALLOW_LOOPBACK", False))
    )


class PortalFetcher:
    """A fetcher (``get(url, accept=)``) that serves the portal's own public documents from the
    database and delegates every other URL to ``remote``."""

    def __init__(self, remote: SafeFetcher | None = None, base_url: str | None = None):
        self.remote = remote or SafeFetcher()
        self.base_url = base_url or settings.PORTAL_BASE_URL
        # Counted so that tests (and curious operators) can see nothing went over the network.
        self.local_hits = 0
        # Statuses of the keys in the did:web documents this fetcher served (key id → status),
        # read with their version: the verifier's retired-key check needs no query of its own.
        self.key_statuses: dict[str, str] = {}

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        current = url
        for _ in range(self.remote.max_redirects + 1):
            response = self._local(current, accept)
            if response is None:
                return self.remote.get(current, accept=accept)
            self.local_hits += 1
            if response.status in (301, 302, 303, 307, 308) and response.location:
                current = urljoin(current, response.location)
                continue
            if len(response.body) > self.remote.max_bytes:
                raise FetchError("too_large", url, f"more than {self.remote.max_bytes} bytes")
            return FetchResponse(current, response.status, response.content_type, response.body)
        raise FetchError("too_many_redirects", url)

    def _local(self, url: str, accept: str) -> Served | None:
        """The view's answer for a portal document URL, or None (not ours: fetch it). The
        did:web document and status lists come from portal_cache while their version holds."""
        path = portal_path(url, self.base_url)
        if path is None:
            return None
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if match.view_name in ALIASES:
            return _alias(match)
        if match.view_name not in DOCUMENT_ROUTES:
            return None
        version = key = None
        if match.view_name in portal_cache.CACHED_ROUTES and not match.args:
            # The views' output does not depend on the request, only on these and the base URL.
            key = (match.view_name, tuple(sorted(match.kwargs.items())), self.base_url)
            version = portal_cache.version_of(match.view_name, match.kwargs)
        if version is not None:
            self.key_statuses.update(version.key_statuses)
            cached = portal_cache.DEFAULT.get(key, version.token)
            if cached is not None:
                return cached
        served = self._render(match, url, path, accept)
        # Rendered after the version was read, so never older than it (at worst newer: a miss).
        if version is not None and served is not None and served.status == 200:
            portal_cache.DEFAULT.put(key, version.token, served)
        return served

    def _render(self, match, url: str, path: str, accept: str) -> Served | None:
        request = _request(url, path, accept, self.base_url)
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except Http404:
            return _status_only(404)
        except Exception:
            # What the HTTP endpoint would answer (a server error), logged like one.
            logger.exception("serving %s in-process for verification failed", url)
            return _status_only(500)
        if getattr(response, "streaming", False):
            return None
        return Served(
            response.status_code,
            response.get("Content-Type", ""),
            response.get("Location"),
            response.content,
        )


def _alias(match) -> Served | None:
    """A redirect (followed in-process) from a portal page or download to its document."""
    route, by_variant = ALIASES[match.view_name]
    public_id = match.kwargs.get("public_id")
    if by_variant is not None:
        route = by_variant.get(str(match.kwargs.get("variant", "")).partition(".")[0])
    if route is None or public_id is None:
        return None
    location = reverse(route, kwargs={"public_id": public_id})
    return Served(302, "text/plain", location, b"")


def _status_only(status: int) -> Served:
    return Served(status, "text/plain", None, b"")


def _request(url: str, path: str, accept: str, base_url: str) -> HttpRequest:
    parts, base = urlsplit(url), urlsplit(base_url)
    request = HttpRequest()
    request.method = "GET"
    request.path_info = path
    request.path = parts.path or "/"
    request.GET = QueryDict(parts.query)
    scheme = base.scheme.lower()
    request.META = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": parts.query,
        "HTTP_ACCEPT": accept,
        "HTTP_HOST": base.netloc,
        "SERVER_NAME": base.hostname or "",
        "SERVER_PORT": str(base.port or _DEFAULT_PORTS.get(scheme, 80)),
        "wsgi.url_scheme": scheme,
        "REMOTE_ADDR": "127.0.0.1",
    }
    return request
