"""Keep the OB 2.0 harness offline: loopback URLs only, JSON-LD contexts from local copies.

Imported by the runners in this directory, which run in their own virtualenv
(.interop/ob2-venv, see scripts/install-interop-python.sh). Nothing here patches the installed
packages' files: it patches, in this process only,

* ``requests.adapters.HTTPAdapter.send`` — every ``requests`` session (plain or requests-cache)
  goes through it: known context URLs are answered from ``contexts/``; any other URL whose host
  is not a loopback address is refused with ``requests.ConnectionError``;
* ``socket.getaddrinfo`` — a second fence for anything that bypasses ``requests`` (urllib in
  PyLD's default loader, a proxy): only loopback names and addresses resolve;

and it drops proxy variables from the environment so that loopback requests go straight to the
test server.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

HERE = Path(__file__).resolve().parent
CONTEXTS = HERE / "contexts"

# URL -> local file. The OB 2.0 context is served at w3id.org, which redirects to
# openbadgespec.org; both spellings are answered locally.
LOCAL_DOCUMENTS = {
    "https://w3id.org/openbadges/v2": CONTEXTS / "openbadges-v2.jsonld",
    "http://w3id.org/openbadges/v2": CONTEXTS / "openbadges-v2.jsonld",
    "https://openbadgespec.org/v2/context.json": CONTEXTS / "openbadges-v2.jsonld",
    "https://w3id.org/openbadges/v2/": CONTEXTS / "openbadges-v2.jsonld",
}

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy")

_installed = False


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").rstrip(".").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_document(url: str) -> Path | None:
    return LOCAL_DOCUMENTS.get(urldefrag(url)[0])


def _local_response(request, path: Path):
    import requests

    response = requests.models.Response()
    response.status_code = 200
    response.reason = "OK"
    response._content = path.read_bytes()
    response.headers["Content-Type"] = "application/ld+json"
    response.encoding = "utf-8"
    response.url = request.url
    response.request = request
    return response


def install() -> None:
    """Install the fences once per process."""
    global _installed
    if _installed:
        return
    _installed = True

    for name in _PROXY_VARIABLES:
        os.environ.pop(name, None)
        os.environ.pop(name.upper(), None)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "*"

    real_getaddrinfo = socket.getaddrinfo

    def loopback_getaddrinfo(host, *args, **kwargs):
        name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
        if not is_loopback_host(name):
            raise socket.gaierror(socket.EAI_NONAME, f"offline harness: {name!r} is not loopback")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = loopback_getaddrinfo

    import requests.adapters

    real_send = requests.adapters.HTTPAdapter.send

    def offline_send(self, request, *args, **kwargs):
        path = local_document(request.url)
        if path is not None:
            return _local_response(request, path)
        host = urlsplit(request.url).hostname
        if not is_loopback_host(host):
            raise requests.ConnectionError(
                f"offline harness: refusing to fetch {request.url} (only loopback URLs and the "
                "local JSON-LD contexts are served)",
                request=request,
            )
        return real_send(self, request, *args, **kwargs)

    requests.adapters.HTTPAdapter.send = offline_send
