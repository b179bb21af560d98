"""The only way badge verification reaches the network.

A badge names URLs chosen by whoever made it (assertion ids, keys, DID documents, status lists),
so a naive fetch would let anyone make the portal request internal services (SSRF): cloud
metadata at 169.254.169.254, databases on private addresses, admin pages on localhost.
:class:`SafeFetcher` therefore

* accepts only ``https`` (``http`` only for loopback hosts, and loopback hosts only when
  ``allow_loopback`` — tests and local development);
* refuses IP literals in non-standard spellings (``0x7f.1``, ``2130706433``, ``0177.0.0.1``),
  which libc would silently turn into internal addresses;
* resolves the name itself, refuses it if ANY address is not public unicast (the portal's one
  address policy, :mod:`issuers.netpolicy`, shared with webhook delivery), and connects to the
  address it checked (the ``Host`` header and TLS SNI/certificate check still use the name), so
  a second DNS answer cannot swap in an internal address (DNS rebinding);
* follows at most ``max_redirects`` redirects, checking each target the same way;
* sends only GET, streams the body and stops at its Content-Length (keep-alive servers hold the
  connection open), past ``max_bytes`` or after ``timeout`` seconds in total (a server that
  trickles bytes cannot hold a worker).
"""

from __future__ import annotations

import ipaddress
import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error

from issuers.netpolicy import AddressRefused, UnresolvableHost, check_address, resolve_allowed

__all__ = ["FetchError", "FetchResponse", "SafeFetcher", "check_address"]

USER_AGENT = "MC-Portal-Verifier/1.0"
_REDIRECTS = {301, 302, 303, 307, 308}
# A host made only of digits, dots, hex prefixes / letters is an IP literal in some spelling.
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)
_DOTTED_QUAD = re.compile(
    r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$"
)
_MESSAGES: dict[str, tuple[str, str]] = {
    "invalid_url": ("URL の形式が正しくありません。", "The URL is not well-formed."),
    "scheme_not_allowed": (
        "https の URL のみ取得できます。",
        "Only https URLs can be fetched.",
    ),
    "host_not_allowed": (
        "このホストへの接続は許可されていません（内部ネットワーク・ループバック等）。",
        "Connections to this host are not allowed (internal network, loopback, …).",
    ),
    "address_not_allowed": (
        "このホストは内部・予約済みのアドレスに解決されるため接続できません。",
        "The host resolves to an internal or reserved address and cannot be contacted.",
    ),
    "ip_spelling": (
        "標準的でない表記の IP アドレスは受け付けません。",
        "IP addresses in non-standard notation are refused.",
    ),
    "dns_failed": ("ホスト名を解決できませんでした。", "The host name could not be resolved."),
    "too_many_redirects": ("リダイレクトが多すぎます。", "Too many redirects."),
    "too_large": ("応答が大きすぎます。", "The response is too large."),
    "timeout": ("応答が時間内に返りませんでした。", "The server did not respond in time."),
    "connection_failed": ("サーバーに接続できませんでした。", "Could not connect to the server."),
}


class FetchError(Exception):
    """A URL was refused or could not be fetched; ``code`` plus a Japanese and English message."""

    def __init__(self, code: str, url: str, detail: str = ""):
        self.code = code
        self.url = url
        self.detail = detail
        self.message_ja, self.message_en = _MESSAGES[code]
        super().__init__(f"{code}: {self.message_en} {url}" + (f" ({detail})" if detail else ""))


@dataclass(frozen=True)
class FetchResponse:
    url: str  # after redirects
    status: int
    content_type: str
    body: bytes


class SafeFetcher:
    """GET JSON documents and images from the public internet without SSRF (module docstring)."""

    def __init__(
        self,
        allow_loopback: bool = False,
        max_bytes: int = 2_000_000,
        timeout: float = 5,
        max_redirects: int = 3,
    ):
        self.allow_loopback = allow_loopback
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_redirects = max_redirects

    # -- validation -----------------------------------------------------------------------

    def check_url(self, url: str) -> tuple[str, str, int, str, list[str]]:
        """(scheme, host, port, path+query, validated addresses) or :class:`FetchError`."""
        if not isinstance(url, str) or any(ch in url for ch in "\r\n\t\x00 "):
            raise FetchError("invalid_url", str(url))
        try:
            parts = urlsplit(url)
            port = parts.port
            host = parts.hostname
        except ValueError as error:
            raise FetchError("invalid_url", url, str(error)) from error
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not host:
            raise FetchError("scheme_not_allowed", url)
        if parts.username is not None or parts.password is not None:
            raise FetchError("invalid_url", url, "credentials in the URL")
        host = host.rstrip(".").lower()
        literal = self._ip_literal(host, url)
        if literal is not None:
            loopback = literal.is_loopback or (
                isinstance(literal, ipaddress.IPv6Address)
                and literal.ipv4_mapped is not None
                and literal.ipv4_mapped.is_loopback
            )
        else:
            loopback = host == "localhost" or host.endswith(".localhost")
        if loopback and not self.allow_loopback:
            raise FetchError("host_not_allowed", url)
        if scheme == "http" and not loopback:
            raise FetchError("scheme_not_allowed", url)
        port = port or (443 if scheme == "https" else 80)
        addresses = self._resolve(host, port, literal, url)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return scheme, host, port, path, addresses

    def _ip_literal(self, host: str, url: str):
        try:
            return ipaddress.ip_address(host)
        except ValueError:
            pass
        if _NUMERIC_HOST.match(host) and not _DOTTED_QUAD.match(host):
            raise FetchError("ip_spelling", url, host)
        return None

    def _resolve(self, host: str, port: int, literal, url: str) -> list[str]:
        # The address policy is issuers.netpolicy's, shared with webhook delivery.
        try:
            if literal is not None:
                check_address(literal, allow_loopback=self.allow_loopback)
                return [str(literal)]
            addresses = resolve_allowed(host, port, allow_loopback=self.allow_loopback)
        except UnresolvableHost as error:
            raise FetchError("dns_failed", url, str(error)) from error
        except AddressRefused as error:
            code = "host_not_allowed" if literal is not None else "address_not_allowed"
            raise FetchError(code, url, str(error)) from error
        return [str(ip) for ip in addresses]

    # -- fetching -------------------------------------------------------------------------

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        """GET ``url``; any HTTP status is returned (callers judge 404/410), refusals and
        transport failures raise :class:`FetchError`."""
        deadline = time.monotonic() + self.timeout
        current = url
        for _ in range(self.max_redirects + 1):
            response = self._get_once(current, accept, deadline)
            if response.status in _REDIRECTS and response.location:
                current = urljoin(current, response.location)
                continue
            return FetchResponse(current, response.status, response.content_type, response.body)
        raise FetchError("too_many_redirects", url)

    def _get_once(self, url: str, accept: str, deadline: float) -> _Raw:
        scheme, host, port, path, addresses = self.check_url(url)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout", url)
        timeout = urllib3.Timeout(connect=remaining, read=remaining)
        host_header = host if ":" not in host else f"[{host}]"
        if port != (443 if scheme == "https" else 80):
            host_header += f":{port}"
        headers = {
            "Host": host_header,
            "Accept": accept,
            "User-Agent": USER_AGENT,
            "Accept-Encoding": "identity",
        }
        last_error: Exception | None = None
        # Only checked addresses are tried, in resolver order (e.g. localhost: ::1, 127.0.0.1).
        for address in addresses:
            try:
                return self._request(
                    scheme, address, port, host, path, headers, timeout, url, deadline
                )
            except urllib3.exceptions.NewConnectionError as error:
                # Checked first: urllib3 derives it from its connect-timeout error.
                last_error = error
            except FetchError:
                raise
            except (urllib3.exceptions.TimeoutError, TimeoutError) as error:
                raise FetchError("timeout", url, str(error)) from error
            except (Urllib3Error, OSError) as error:
                raise FetchError("connection_failed", url, str(error)) from error
        raise FetchError("connection_failed", url, str(last_error)) from last_error

    def _request(self, scheme, address, port, host, path, headers, timeout, url, deadline) -> _Raw:
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                retries=False,
                maxsize=1,
                cert_reqs="CERT_REQUIRED",
                ca_certs=certifi.where(),
                server_hostname=host,
                assert_hostname=host,
            )
        else:
            pool = urllib3.HTTPConnectionPool(
                address, port, timeout=timeout, retries=False, maxsize=1
            )
        with pool:
            response = pool.urlopen(
                "GET",
                path,
                headers=headers,
                redirect=False,
                preload_content=False,
                retries=False,
                timeout=timeout,
            )
            try:
                body = self._read(response, url, deadline)
            finally:
                response.release_conn()
            return _Raw(
                response.status,
                response.headers.get("Content-Type", ""),
                body,
                response.headers.get("Location"),
            )

    def _read(self, response, url: str, deadline: float) -> bytes:
        declared = response.headers.get("Content-Length")
        expected = int(declared) if declared and declared.isdigit() else None
        if expected is not None and expected > self.max_bytes:
            raise FetchError("too_large", url, f"Content-Length {declared}")
        chunks: list[bytes] = []
        size = 0
        # A keep-alive server leaves the connection open after the body: stop at Content-Length
        # rather than wait for it to hang up.
        while expected is None or size < expected:
            if time.monotonic() > deadline:
                raise FetchError("timeout", url, "body too slow")
            # read1 returns what has arrived, so the deadline is checked while a body trickles.
            # Raw bytes: we ask for identity encoding and never inflate (no decompression bombs).
            wanted = 8192 if expected is None else min(8192, expected - size)
            chunk = response.read1(wanted, decode_content=False)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError("too_large", url, f"more than {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


@dataclass(frozen=True)
class _Raw:
    status: int
    content_type: str
    body: bytes
    location: str | None
