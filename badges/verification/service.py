"""verify_badge: one entry point for the REST API and the public verify page."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch

from badges.jsonld import LocalDocumentLoader
from badges.verification import ob2, ob3, vc_jwt
from badges.verification.common import Stop, fetch
from badges.verification.fetch import SafeFetcher
from badges.verification.inputs import InputError, Sniffed, document_format, sniff
from badges.verification.messages import text
from badges.verification.pages import alternate_links, answer_kind
from badges.verification.portal import PortalFetcher
from badges.verification.result import VerificationResult

logger = logging.getLogger(__name__)


def _portal_documents() -> dict[str, Any]:
    """The portal's own JSON-LD context(s), served locally: verification never fetches
    contexts."""
    try:
        from badges.extension import portal_documents

        return portal_documents()
    except (ImportError, NoReverseMatch, ImproperlyConfigured):
        # Until the public context route exists nothing of ours can reference it.
        return {}


def document_loader(documents: Mapping[str, Any] | None = None) -> LocalDocumentLoader:
    return LocalDocumentLoader(documents={**_portal_documents(), **dict(documents or {})})


def verify_badge(
    data: bytes | str | dict,
    *,
    email: str | None = None,
    now: datetime | None = None,
    fetcher: SafeFetcher | PortalFetcher | None = None,
    documents: Mapping[str, Any] | None = None,
    did_documents: Mapping[str, Any] | None = None,
) -> VerificationResult:
    """Verify an Open Badge given as a URL, JSON (text or dict), a compact JWS or a baked
    PNG/SVG image. Never raises for bad input: everything is reported in the result.

    ``fetcher``: by default a :class:`PortalFetcher` (the portal's own URLs in-process, other
    URLs through a :class:`SafeFetcher`).

    ``documents``: extra JSON-LD documents by URL (other issuers' contexts); ``did_documents``:
    DID documents known in advance (by DID), e.g. our own issuers'."""
    result = VerificationResult()
    # The portal's own documents come from the database; other URLs through a SafeFetcher.
    fetcher = fetcher or PortalFetcher(SafeFetcher())
    now = now or datetime.now(UTC)
    context = _Context(email, now, fetcher, document_loader(documents), did_documents)
    try:
        sniffed = sniff(data)
    except InputError as error:
        result.add("input", "fail", text(error.key, **error.values), outcome="error")
        return result
    try:
        context.run(sniffed, result)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        # A document shaped in a way no check anticipated: report it rather than answer a
        # public verify request with a server error.
        logger.exception("badge verification failed unexpectedly")
        result.add("input", "fail", text("input_unexpected"), outcome="error")
    return result


class _Context:
    def __init__(self, email, now, fetcher, loader, did_documents):
        self.email, self.now, self.fetcher = email, now, fetcher
        self.loader, self.did_documents = loader, did_documents

    def run(self, sniffed: Sniffed, result: VerificationResult, depth: int = 0) -> None:
        result.source = result.source or sniffed.source
        for key, values in sniffed.notes:
            result.add("input", "pass", text(key, **values))
        try:
            if sniffed.kind == "url":
                self._url(sniffed.value, result, depth)
            elif sniffed.kind == "vc-jwt":
                vc_jwt.verify(
                    sniffed.value,
                    result,
                    fetcher=self.fetcher,
                    now=self.now,
                    email=self.email,
                    loader=self.loader,
                    did_documents=self.did_documents,
                )
            elif sniffed.kind == "jws":
                ob2.verify_signed(
                    sniffed.value, result, fetcher=self.fetcher, now=self.now, email=self.email
                )
            else:
                self._json(sniffed.value, result)
        except Stop:
            pass

    def _ob3(self, document: dict, result: VerificationResult) -> None:
        ob3.verify(
            document,
            result,
            fetcher=self.fetcher,
            now=self.now,
            email=self.email,
            loader=self.loader,
            did_documents=self.did_documents,
        )

    def _json(self, document: dict, result: VerificationResult) -> None:
        kind = document_format(document)
        if kind == "ob3":
            self._ob3(document, result)
        elif kind == "ob2":
            ob2.verify_hosted(
                document, result, fetcher=self.fetcher, now=self.now, email=self.email
            )
        else:
            result.document = document
            result.add("input", "fail", text("input_unknown_format"), outcome="error")

    def _url(self, url: str, result: VerificationResult, depth: int) -> None:
        response = fetch(self.fetcher, url, result, "input")
        body = response.body
        # The portal's own pages and downloads arrive here as their documents (portal.ALIASES);
        # from here on the document's own URL is what it is checked against.
        url = response.url or url
        kind = answer_kind(response)
        if response.status == 200 and kind == "html":
            self._page(url, body, result, depth)
            return
        if response.status == 200 and kind in ("pdf", "other"):
            result.add("input", "fail", text(f"input_{kind}_not_badge", url=url), outcome="error")
            return
        if response.status == 200 and depth <= 1 and not body.lstrip().startswith(b"{"):
            # A link to a baked image or a VC-JWT (e.g. the portal's download URLs).
            try:
                inner = sniff(body)
            except InputError as error:
                result.add("input", "fail", text(error.key, **error.values), outcome="error")
                return
            self.run(inner, result, depth + 1)
            return
        document = None
        if response.status == 200:
            try:
                document = json.loads(body.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError):
                document = None
        if response.status == 200 and isinstance(document, dict):
            if document_format(document) == "ob3":
                self._ob3(document, result)
                return
        if response.status in (200, 410):
            # OB 2.0 hosted (also a revoked one: 410 Gone); fetched again by the hosted check.
            ob2.verify_hosted(
                None, result, fetcher=self.fetcher, now=self.now, email=self.email, url=url
            )
            return
        result.add(
            "input", "fail", text("fetch_status", url=url, status=response.status), outcome="error"
        )

    def _page(self, url: str, body: bytes, result: VerificationResult, depth: int) -> None:
        """A web page (a credential page a link or QR code led to): follow its badge link."""
        links = alternate_links(body, url) if depth == 0 else []
        if not links:
            result.add("input", "fail", text("input_html_not_badge", url=url), outcome="error")
            return
        result.add("input", "pass", text("input_followed_link", url=links[0]))
        self._url(links[0], result, depth + 1)
