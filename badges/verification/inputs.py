"""Recognise what an employer pasted or uploaded: a URL, JSON, a compact JWS or a baked image."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from badges import baking

MAX_TEXT_BYTES = 2_000_000
MAX_INPUT_BYTES = baking.MAX_IMAGE_BYTES

Kind = Literal["url", "json", "jws", "vc-jwt"]
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_OB2_CONTEXT = "https://w3id.org/openbadges/v2"


class InputError(Exception):
    """The input is not a badge we can read; ``key``/``values`` select the message."""

    def __init__(self, key: str, **values: object):
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Sniffed:
    kind: Kind
    value: Any  # URL str, JSON dict or token str
    source: str  # "url" | "json" | "jws" | "png" | "svg"
    notes: tuple[tuple[str, dict], ...] = ()


def b64url_json(part: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def sniff(data: bytes | str | dict) -> Sniffed:
    if isinstance(data, dict):
        return Sniffed("json", data, "json")
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        if len(data) > MAX_INPUT_BYTES:
            raise InputError("input_too_large", limit=MAX_INPUT_BYTES)
        if data.startswith(baking.PNG_SIGNATURE) or _looks_like_svg(data):
            return _from_image(data)
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputError("input_unrecognised") from error
    if not isinstance(data, str):
        raise InputError("input_unrecognised")
    if len(data.encode("utf-8")) > MAX_TEXT_BYTES:
        raise InputError("input_too_large", limit=MAX_TEXT_BYTES)
    return _from_text(data.strip().lstrip("\ufeff"), "json")


def _looks_like_svg(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"<svg" in data[:100_000]


def _from_text(text: str, source: str) -> Sniffed:
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError as error:
            raise InputError("input_bad_json", detail=str(error)) from error
        if not isinstance(document, dict):
            raise InputError("input_not_object")
        return Sniffed("json", document, source)
    if text.startswith(("[", '"')):
        raise InputError("input_not_object")
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text) and not any(c.isspace() for c in text):
        return Sniffed("url", text, "url")
    if _JWS.match(text):
        header = b64url_json(text.split(".")[0])
        payload = b64url_json(text.split(".")[1])
        if not isinstance(header, dict) or not isinstance(payload, dict):
            raise InputError("input_unrecognised")
        kind = "vc-jwt" if _is_vc_jwt(header, payload) else "jws"
        return Sniffed(kind, text, "jws" if source == "json" else source)
    raise InputError("input_unrecognised")


def _is_vc_jwt(header: dict, payload: dict) -> bool:
    typ = str(header.get("typ", "")).lower()
    cty = str(header.get("cty", "")).lower()
    if "vc" in typ or "vc" in cty or "vc" in payload or "vp" in payload:
        return True
    context = payload.get("@context")
    contexts = context if isinstance(context, list) else [context]
    return "VerifiableCredential" in _as_list(payload.get("type")) or (
        any(isinstance(c, str) and "credentials" in c for c in contexts)
        and _OB2_CONTEXT not in contexts
    )


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _from_image(data: bytes) -> Sniffed:
    try:
        found = baking.unbake(data)
    except baking.BakingError as error:
        raise InputError("input_image_bad", detail=str(error)) from error
    if not found:
        raise InputError("input_image_empty")
    first = found[0]
    notes: list[tuple[str, dict]] = [("input_image_found", {"version": first.version})]
    if len(found) > 1:
        notes.append(("input_image_several", {}))
    inner = _from_text(first.payload.strip(), first.image_format)
    return Sniffed(inner.kind, inner.value, first.image_format, tuple(notes))


def document_format(document: dict) -> Literal["ob2", "ob3"] | None:
    """Which Open Badges version a JSON document is, from its context and type."""
    contexts = _as_list(document.get("@context"))
    types = _as_list(document.get("type"))
    if "VerifiableCredential" in types or any(
        isinstance(c, str) and c.startswith("https://www.w3.org/ns/credentials/") for c in contexts
    ):
        return "ob3"
    if _OB2_CONTEXT in contexts or "Assertion" in types:
        return "ob2"
    return None
