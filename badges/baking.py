"""Badge baking: embed an Open Badges 2.0 assertion or 3.0 credential in a PNG or SVG image.

Follows the 1EdTech baking texts:

* OB 2.0 (Open Badges Baking Specification 1.0; 1EdTech openbadges-specification,
  ob_v2p0/baking/ob-bake-v1p0.md): PNG ``iTXt`` chunk with keyword ``openbadges`` whose text
  is the compact JWS or the assertion JSON (legacy badges: ``tEXt`` holding the hosted URL);
  SVG ``<openbadges:assertion verify="…">`` in the ``http://openbadges.org`` namespace, directly
  after the ``<svg>`` start tag — ``verify`` is the JWS (empty, self-closing element) or the
  hosted URL with the assertion JSON in a CDATA body.
* OB 3.0 (§ "Baked Badge", ob_v3p0/docformat.md): PNG ``iTXt`` keyword ``openbadgecredential``
  holding the credential JSON (or a VC-JWT); SVG ``<openbadges:credential>`` in the
  ``https://purl.imsglobal.org/ob/v3p0`` namespace with the JSON in CDATA (or a ``verify``
  attribute holding a VC-JWT).

PNGs are edited by splicing chunks: pixels are never decoded or re-encoded, every chunk CRC is
checked on input and computed for the new chunk. SVGs are parsed with defusedxml (no DTD, no
entities, no external references) and edited as bytes at the offsets the parser reports, so the
rest of the document is preserved byte for byte. Baking the same payload twice gives the same
bytes; re-baking replaces the previous payload (a baked image never holds two).

Pure functions on bytes and str; no Django, no models, no I/O.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_PAYLOAD_BYTES",
    "OB2_PNG_KEYWORD",
    "OB2_SVG_NAMESPACE",
    "OB3_PNG_KEYWORD",
    "OB3_SVG_NAMESPACE",
    "PNG_SIGNATURE",
    "BakedBadge",
    "BakingError",
    "ImageTooLarge",
    "InvalidImage",
    "InvalidPayload",
    "PngChunk",
    "PngTextChunk",
    "PreparedPng",
    "PreparedSvg",
    "UnsafeSvg",
    "bake_png",
    "bake_svg",
    "png_chunks",
    "png_text_chunks",
    "sniff_image_format",
    "unbake",
    "unbake_png",
    "unbake_svg",
]

Version = Literal["2.0", "3.0"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB2_PNG_KEYWORD = "openbadges"
OB3_PNG_KEYWORD = "openbadgecredential"
OB2_SVG_NAMESPACE = "http://openbadges.org"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"

_KEYWORD_VERSIONS: dict[str, Version] = {OB2_PNG_KEYWORD: "2.0", OB3_PNG_KEYWORD: "3.0"}
_SVG_ELEMENTS: dict[Version, tuple[str, str]] = {
    "2.0": (OB2_SVG_NAMESPACE, "assertion"),
    "3.0": (OB3_SVG_NAMESPACE, "credential"),
}

MAX_IMAGE_BYTES = 10 * 1024 * 1024
"""Largest image accepted, baked or not (a badge image is tens of KB)."""
MAX_PAYLOAD_BYTES = 4 * 1024 * 1024
"""Largest text baked or unbaked (UTF-8 bytes); also bounds decompression of zipped iTXt."""
MAX_PNG_CHUNK_LENGTH = 2**31 - 1
"""PNG spec: a chunk length is at most 2^31 - 1."""


class BakingError(ValueError):
    """An image could not be baked or unbaked."""


class InvalidImage(BakingError):
    """Not a PNG/SVG, or a corrupt one: bad signature, truncated, CRC mismatch, not well-formed."""


class ImageTooLarge(BakingError):
    """The image (or the payload) is over the size limit."""


class UnsafeSvg(BakingError):
    """An SVG with active or external content (DTD, entities, script, foreignObject, on*=…)."""


class InvalidPayload(BakingError):
    """The text to bake is not acceptable (not JSON, illegal characters, too large, …)."""


def _check_size(data: bytes, max_bytes: int, what: str = "image") -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"the {what} must be bytes, not {type(data).__name__}")
    if len(data) > max_bytes:
        raise ImageTooLarge(f"{what} of {len(data):,} bytes is over the {max_bytes:,}-byte limit")


# --------------------------------------------------------------------------------------------
# PNG
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PngChunk:
    """One chunk: its type and where its whole record (length, type, data, CRC) lies."""

    type: bytes
    start: int  # offset of the length field
    data_start: int
    data_end: int  # offset of the CRC field

    @property
    def end(self) -> int:
        return self.data_end + 4


@dataclass(frozen=True, slots=True)
class PngTextChunk:
    type: str  # "iTXt" | "tEXt" | "zTXt"
    keyword: str
    text: str | None  # None for zTXt (not decoded)
    compressed: bool = False


_FOREIGN_SIGNATURES = (
    (b"\xff\xd8\xff", "a JPEG"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"GIF87a", "a GIF"),
    (b"GIF89a", "a GIF"),
    (b"%PDF", "a PDF"),
    (b"\x1f\x8b", "gzip data (an .svgz?)"),
    (b"BM", "a BMP"),
)


def _describe_foreign(data: bytes) -> str:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP"
    for magic, name in _FOREIGN_SIGNATURES:
        if data.startswith(magic):
            return name
    return "unrecognised data"


def png_chunks(data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES) -> Iterator[PngChunk]:
    """Walk a PNG's chunks, checking structure and every CRC; stops after IEND.

    Raises :class:`InvalidImage` for a missing signature, a truncated stream, an absurd chunk
    length, a bad chunk type, a CRC mismatch, IHDR not first, or no IEND.
    """
    _check_size(data, max_bytes)
    view = memoryview(data)
    if bytes(view[:8]) != PNG_SIGNATURE:
        raise InvalidImage(f"not a PNG: {_describe_foreign(bytes(view[:12]))} (bad signature)")
    pos = 8
    total = len(view)
    index = 0
    while True:
        if pos + 8 > total:
            raise InvalidImage(f"truncated PNG: chunk header expected at byte {pos}, no IEND")
        (length,) = struct.unpack_from(">I", view, pos)
        ctype = bytes(view[pos + 4 : pos + 8])
        if length > MAX_PNG_CHUNK_LENGTH:
            raise InvalidImage(
                f"corrupt PNG: chunk at byte {pos} declares {length:,} bytes "
                f"(the PNG limit is {MAX_PNG_CHUNK_LENGTH:,})"
            )
        if not all(65 <= c <= 90 or 97 <= c <= 122 for c in ctype):
            raise InvalidImage(f"corrupt PNG: invalid chunk type {ctype!r} at byte {pos}")
        data_start = pos + 8
        data_end = data_start + length
        if data_end + 4 > total:
            raise InvalidImage(
                f"truncated PNG: {ctype.decode()} chunk at byte {pos} declares {length:,} bytes, "
                f"only {max(total - data_start - 4, 0):,} remain"
            )
        (crc,) = struct.unpack_from(">I", view, data_end)
        if zlib.crc32(view[pos + 4 : data_end]) != crc:
            raise InvalidImage(f"corrupt PNG: CRC mismatch in {ctype.decode()} chunk at byte {pos}")
        if index == 0 and (ctype != b"IHDR" or length != 13):
            raise InvalidImage("corrupt PNG: the first chunk must be a 13-byte IHDR")
        if index > 0 and ctype == b"IHDR":
            raise InvalidImage("corrupt PNG: more than one IHDR chunk")
        yield PngChunk(ctype, pos, data_start, data_end)
        pos = data_end + 4
        index += 1
        if ctype == b"IEND":
            return


def _chunk(ctype: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + ctype
        + payload
        + struct.pack(">I", zlib.crc32(ctype + payload))
    )


_KEYWORD_RE = re.compile(r"^[\x20-\x7e\xa1-\xff]{1,79}$")


def _check_keyword(keyword: str) -> bytes:
    if (
        not isinstance(keyword, str)
        or not _KEYWORD_RE.match(keyword)
        or keyword != keyword.strip(" ")
        or "  " in keyword
    ):
        raise InvalidPayload(
            f"invalid PNG text keyword {keyword!r}: 1-79 Latin-1 printable characters, "
            "no leading, trailing or consecutive spaces"
        )
    return keyword.encode("latin-1")


def _keyword_of(data: memoryview) -> bytes | None:
    end = bytes(data[:80]).find(b"\x00")
    return bytes(data[:end]) if end > 0 else None


def _decode_text_chunk(ctype: bytes, data: memoryview) -> PngTextChunk:
    raw = bytes(data)
    name = ctype.decode("ascii")
    keyword_end = raw.find(b"\x00", 0, 80)
    if keyword_end < 1:
        raise InvalidImage(f"corrupt PNG: {name} chunk without a 1-79 byte keyword")
    keyword = raw[:keyword_end].decode("latin-1")
    rest = raw[keyword_end + 1 :]
    if ctype == b"tEXt":
        return PngTextChunk(name, keyword, rest.decode("latin-1"))
    if ctype == b"zTXt":
        return PngTextChunk(name, keyword, None, compressed=True)
    # iTXt: compression flag, compression method, language tag\0, translated keyword\0, text
    if len(rest) < 4:
        raise InvalidImage(f"corrupt PNG: iTXt chunk {keyword!r} is truncated")
    flag, method = rest[0], rest[1]
    lang_end = rest.find(b"\x00", 2)
    if lang_end < 0:
        raise InvalidImage(f"corrupt PNG: iTXt chunk {keyword!r} has no language tag terminator")
    translated_end = rest.find(b"\x00", lang_end + 1)
    if translated_end < 0:
        raise InvalidImage(f"corrupt PNG: iTXt chunk {keyword!r} has no translated keyword end")
    text = rest[translated_end + 1 :]
    if flag not in (0, 1) or (flag == 1 and method != 0):
        raise InvalidImage(f"corrupt PNG: iTXt chunk {keyword!r} has an unknown compression")
    if flag == 1:
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, MAX_PAYLOAD_BYTES + 1)
        except zlib.error as exc:
            raise InvalidImage(f"corrupt PNG: iTXt chunk {keyword!r} does not inflate") from exc
        if len(text) > MAX_PAYLOAD_BYTES or inflater.unconsumed_tail:
            raise ImageTooLarge(f"iTXt chunk {keyword!r} inflates past {MAX_PAYLOAD_BYTES:,} B")
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidImage(f"corrupt PNG: iTXt chunk {keyword!r} text is not UTF-8") from exc
    return PngTextChunk(name, keyword, decoded, compressed=flag == 1)


_TEXT_TYPES = (b"iTXt", b"tEXt", b"zTXt")


def png_text_chunks(data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES) -> list[PngTextChunk]:
    """Every iTXt/tEXt/zTXt chunk, in stream order (the whole PNG is checked on the way)."""
    view = memoryview(data)
    return [
        _decode_text_chunk(chunk.type, view[chunk.data_start : chunk.data_end])
        for chunk in png_chunks(data, max_bytes=max_bytes)
        if chunk.type in _TEXT_TYPES
    ]


def _png_text_bytes(text: str) -> bytes:
    if not isinstance(text, str):
        raise InvalidPayload("the text to bake must be str")
    if "\x00" in text:
        raise InvalidPayload("the text to bake must not contain NUL characters")
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidPayload("the text to bake is not valid Unicode (lone surrogate?)") from exc
    if len(encoded) > MAX_PAYLOAD_BYTES:
        raise ImageTooLarge(f"payload of {len(encoded):,} bytes is over {MAX_PAYLOAD_BYTES:,}")
    return encoded


def bake_png(image: bytes, *, keyword: str, text: str, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """Return ``image`` with one uncompressed ``iTXt`` chunk ``keyword`` = ``text``.

    The chunk goes right after IHDR; any earlier iTXt/tEXt/zTXt chunk with the same keyword is
    dropped, and so is anything after IEND. Other chunks are copied byte for byte.
    """
    keyword_bytes = _check_keyword(keyword)
    encoded = _png_text_bytes(text)

    view = memoryview(image)
    chunks = list(png_chunks(image, max_bytes=max_bytes))
    if not any(chunk.type == b"IDAT" for chunk in chunks):
        raise InvalidImage("corrupt PNG: no IDAT chunk")

    # keyword \0, compression flag 0, method 0, empty language tag \0, empty translated kw \0
    itxt = _chunk(b"iTXt", keyword_bytes + b"\x00\x00\x00\x00\x00" + encoded)
    parts: list[bytes | memoryview] = [PNG_SIGNATURE]
    for chunk in chunks:
        if (
            chunk.type in _TEXT_TYPES
            and _keyword_of(view[chunk.data_start : chunk.data_end]) == keyword_bytes
        ):
            continue
        parts.append(view[chunk.start : chunk.end])
        if chunk.type == b"IHDR":
            parts.append(itxt)
    return b"".join(parts)


def unbake_png(data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES) -> dict[str, str]:
    """Text chunks of a PNG as ``{keyword: text}`` (the whole PNG is checked first).

    For each keyword the first ``iTXt`` wins (the baking specs' extraction rule); a ``tEXt``
    (legacy OB 1.0 badges: the hosted URL) is used only when no ``iTXt`` has that keyword.
    zTXt chunks are not decoded.
    """
    found: dict[str, str] = {}
    legacy: dict[str, str] = {}
    for chunk in png_text_chunks(data, max_bytes=max_bytes):
        if chunk.text is None:
            continue
        target = found if chunk.type == "iTXt" else legacy
        target.setdefault(chunk.keyword, chunk.text)
    return {**{k: v for k, v in legacy.items() if k not in found}, **found}


# --------------------------------------------------------------------------------------------
# SVG
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Element:
    namespace: str
    local: str
    attrib: dict[str, str]
    depth: int
    start: int
    end_event: int = -1
    text: list[str] | None = None


_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler"}
_ACTIVE_URL = re.compile(r"(javascript|vbscript)\s*:|data\s*:\s*text/html", re.IGNORECASE)
_ENCODING_RE = re.compile(rb"""^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_BLANK = re.compile(r"[\x00-\x20]+")


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


class _SvgScan:
    """Parser target: records elements with byte offsets and notes unsafe content."""

    def __init__(self, baked_namespaces: set[str]):
        self.parser: DefusedXMLParser | None = None
        self.elements: list[_Element] = []
        self.stack: list[_Element] = []
        self.unsafe: list[str] = []
        self.baked_namespaces = baked_namespaces
        self.capturing: list[_Element] = []

    def _index(self) -> int:
        assert self.parser is not None
        return self.parser.parser.CurrentByteIndex

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        namespace, local = _split_tag(tag)
        element = _Element(namespace, local, dict(attrib), len(self.stack), self._index())
        self.elements.append(element)
        self.stack.append(element)
        if local.lower() in _FORBIDDEN_ELEMENTS:
            self.unsafe.append(f"<{local}> element")
        for name, value in attrib.items():
            attr_local = _split_tag(name)[1]
            if attr_local.lower().startswith("on"):
                self.unsafe.append(f"event handler attribute {attr_local}=")
            elif _ACTIVE_URL.search(_BLANK.sub("", value)):
                self.unsafe.append(f"script URL in {attr_local}=")
        if namespace in self.baked_namespaces:
            element.text = []
            self.capturing.append(element)

    def end(self, tag: str) -> None:
        element = self.stack.pop()
        element.end_event = self._index()
        if self.capturing and self.capturing[-1] is element:
            self.capturing.pop()

    def data(self, data: str) -> None:
        for element in self.capturing:
            assert element.text is not None
            element.text.append(data)

    def pi(self, target: str, data: str) -> None:
        if target.lower() == "xml-stylesheet":
            self.unsafe.append("<?xml-stylesheet?> processing instruction")

    def comment(self, data: str) -> None:
        pass

    def close(self) -> None:
        return None


def _check_svg_encoding(data: bytes) -> None:
    """UTF-8 only (with or without BOM)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidImage("UTF-16 SVG: only UTF-8 SVGs are supported")
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    match = _ENCODING_RE.match(data[bom : bom + 200])
    if match and match.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        raise InvalidImage(
            f"SVG declared as {match.group(1).decode()}: only UTF-8 SVGs are supported"
        )


def _scan_svg(data: bytes, *, max_bytes: int) -> tuple[_SvgScan, _Element]:
    _check_size(data, max_bytes)
    data = bytes(data)
    _check_svg_encoding(data)
    if data.startswith(PNG_SIGNATURE) or not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise InvalidImage(f"not an SVG: {_describe_foreign(data[:12])}")
    scan = _SvgScan({OB2_SVG_NAMESPACE, OB3_SVG_NAMESPACE})
    parser = DefusedXMLParser(
        target=scan, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    scan.parser = parser
    try:
        parser.feed(data)
        parser.close()
    except DefusedXmlException as exc:
        raise UnsafeSvg(
            f"SVG refused: {type(exc).__name__} (DTDs and entities are not allowed)"
        ) from exc
    except ParseError as exc:
        raise InvalidImage(f"not a well-formed SVG: {exc}") from exc
    if not scan.elements:
        raise InvalidImage("not an SVG: no root element")
    root = scan.elements[0]
    if root.local != "svg" or root.namespace not in (SVG_NAMESPACE, ""):
        raise InvalidImage(f"not an SVG: the root element is <{root.local}>")
    return scan, root


def _tag_end(data: bytes, start: int) -> int:
    """Offset of the '>' closing the tag that starts at ``start`` (quote-aware)."""
    quote = 0
    for index in range(start + 1, len(data)):
        byte = data[index]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in (0x22, 0x27):
            quote = byte
        elif byte == 0x3E:
            return index
    raise InvalidImage("not a well-formed SVG: unterminated tag")


def _element_span(data: bytes, element: _Element) -> tuple[int, int]:
    start_tag_end = _tag_end(data, element.start)
    if data[start_tag_end - 1] == 0x2F:  # "/>": empty element
        return element.start, start_tag_end + 1
    return element.start, _tag_end(data, element.end_event) + 1


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _attribute(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_JWS_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")
_URL_RE = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)


def _looks_like_jws(text: str) -> bool:
    """Compact JWS shape, and a first segment that is a JSON header naming an ``alg``."""
    if not _JWS_RE.match(text):
        return False
    segment = text.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except ValueError:
        return False
    return isinstance(header, dict) and isinstance(header.get("alg"), str)


def _json_text(value: str | dict, what: str) -> str:
    if isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    elif isinstance(value, str):
        text = value
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise InvalidPayload(f"{what} is not valid JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise InvalidPayload(f"{what} must be a JSON object")
    else:
        raise InvalidPayload(f"{what} must be a JSON string or a dict")
    _check_xml_text(text, what)
    return text


def _check_xml_text(text: str, what: str) -> None:
    if _XML_ILLEGAL.search(text):
        raise InvalidPayload(f"{what} contains characters XML cannot carry")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PAYLOAD_BYTES:
        raise ImageTooLarge(f"{what} is over {MAX_PAYLOAD_BYTES:,} bytes")


def _svg_payload_element(
    version: Version,
    *,
    assertion_json: str | dict | None,
    verify: str | None,
    credential_json: str | dict | None,
) -> str:
    if version == "2.0":
        if credential_json is not None:
            raise InvalidPayload("credential_json is for OB 3.0; OB 2.0 takes assertion_json")
        if not verify:
            raise InvalidPayload("OB 2.0 SVG baking needs verify= (the JWS or the hosted URL)")
        _check_xml_text(verify, "verify")
        if _looks_like_jws(verify):
            if assertion_json is not None:
                raise InvalidPayload("a signed (JWS) badge is baked without an assertion body")
            return f'<openbadges:assertion verify="{verify}"/>'
        if not _URL_RE.match(verify):
            raise InvalidPayload("verify= must be a compact JWS or an http(s) URL")
        if assertion_json is None:
            return f'<openbadges:assertion verify="{_attribute(verify)}"/>'
        body = _json_text(assertion_json, "assertion_json")
        assertion_id = json.loads(body).get("id")
        if assertion_id is not None and assertion_id != verify:
            raise InvalidPayload(f"verify={verify!r} is not the assertion id {assertion_id!r}")
        return (
            f'<openbadges:assertion verify="{_attribute(verify)}">'
            f"{_cdata(body)}</openbadges:assertion>"
        )
    if version == "3.0":
        if assertion_json is not None:
            raise InvalidPayload("assertion_json is for OB 2.0; OB 3.0 takes credential_json")
        if (credential_json is None) == (verify is None):
            raise InvalidPayload("OB 3.0 SVG baking needs credential_json= or verify= (VC-JWT)")
        if verify is not None:
            if not _looks_like_jws(verify):
                raise InvalidPayload("OB 3.0 verify= must be a compact JWS (VC-JWT)")
            return f'<openbadges:credential verify="{verify}"></openbadges:credential>'
        body = _json_text(credential_json, "credential_json")
        return f"<openbadges:credential>{_cdata(body)}</openbadges:credential>"
    raise InvalidPayload(f"unknown Open Badges version {version!r} (expected '2.0' or '3.0')")


_XMLNS_OPENBADGES = re.compile(rb"""\sxmlns:openbadges\s*=\s*(["'])(.*?)\1""", re.DOTALL)


def bake_svg(
    svg: bytes,
    *,
    version: Version,
    assertion_json: str | dict | None = None,
    verify: str | None = None,
    credential_json: str | dict | None = None,
    max_bytes: int = MAX_IMAGE_BYTES,
) -> bytes:
    """Bake into an SVG; returns the new SVG bytes (UTF-8).

    OB 2.0: ``verify`` = compact JWS (signed: empty element), or the hosted assertion URL with
    ``assertion_json`` (hosted: the JSON in CDATA; its ``id`` must equal ``verify``).
    OB 3.0: ``credential_json`` (embedded proof, JSON in CDATA) or ``verify`` = VC-JWT.

    The input is refused (:class:`UnsafeSvg`) if it has a DTD/entities, script, foreignObject,
    event-handler attributes, script URLs or an xml-stylesheet; any previous payload of the same
    version is removed; everything else is kept byte for byte.
    """
    element = _svg_payload_element(
        version, assertion_json=assertion_json, verify=verify, credential_json=credential_json
    )
    splice = _SvgSplice.of(bytes(svg), version, max_bytes)
    return splice.bake(element.encode("utf-8"), check=True)


@dataclass(frozen=True, slots=True)
class _SvgSplice:
    """Where a payload goes in one SVG: the bytes before it (up to and including the rewritten
    root start tag) and after it (an end tag for a self-closing root, then the rest of the
    document without earlier payloads of this version)."""

    head: bytes
    tail: bytes
    version: Version
    check_limit: int  # max_bytes of the self-check, less the payload

    @classmethod
    def of(cls, data: bytes, version: Version, max_bytes: int) -> _SvgSplice:
        scan, root = _scan_svg(data, max_bytes=max_bytes)
        if scan.unsafe:
            raise UnsafeSvg("SVG refused: " + ", ".join(sorted(set(scan.unsafe))))

        namespace, _ = _SVG_ELEMENTS[version]
        root_tag_end = _tag_end(data, root.start)
        root_tag = data[root.start : root_tag_end + 1]
        declared = _XMLNS_OPENBADGES.search(root_tag)
        declared_ns = declared.group(2).decode("utf-8") if declared else None

        # Remove earlier payloads of this version (outermost elements only).
        spans: list[tuple[int, int]] = []
        for candidate in scan.elements[1:]:
            if candidate.namespace == namespace and not any(
                s <= candidate.start < e for s, e in spans
            ):
                spans.append(_element_span(data, candidate))
        if declared_ns is not None and declared_ns != namespace:
            users = [e for e in scan.elements if e.namespace == declared_ns]
            if users:
                raise BakingError(
                    f"the SVG's openbadges prefix is bound to {declared_ns} and used by "
                    f"<{users[0].local}>; bake a fresh image for Open Badges {version}"
                )

        new_root_tag = root_tag
        declaration = f' xmlns:openbadges="{namespace}"'.encode()
        if declared is None:
            close = -2 if root_tag.endswith(b"/>") else -1
            new_root_tag = root_tag[:close].rstrip() + declaration + root_tag[close:]
        elif declared_ns != namespace:
            new_root_tag = root_tag[: declared.start()] + declaration + root_tag[declared.end() :]

        end_tag = b""
        if new_root_tag.endswith(b"/>"):  # <svg …/>: give it content and an end tag
            qname = re.match(rb"<([^\s/>]+)", new_root_tag).group(1)
            new_root_tag = new_root_tag[:-2].rstrip() + b">"
            end_tag = b"</" + qname + b">"

        parts = [end_tag]
        cursor = root_tag_end + 1
        for start, end in sorted(spans):
            parts.append(data[cursor:start])
            cursor = end
        parts.append(data[cursor:])
        return cls(
            head=data[: root.start] + new_root_tag,
            tail=b"".join(parts),
            version=version,
            check_limit=max_bytes + len(end_tag) + len(declaration),
        )

    def bake(self, payload: bytes, *, check: bool) -> bytes:
        result = b"".join((self.head, payload, self.tail))
        if check:
            # Well-formed, exactly one payload of this version, right after <svg>.
            verdict, _ = _scan_svg(result, max_bytes=self.check_limit + len(payload))
            namespace, _ = _SVG_ELEMENTS[self.version]
            baked = [e for e in verdict.elements if e.namespace == namespace]
            if len(baked) != 1 or baked[0].depth != 1:
                raise BakingError("internal error: the baked SVG does not hold exactly one payload")
        return result


def unbake_svg(
    data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES
) -> dict[str, dict[str, str | None]]:
    """Payloads baked in an SVG, by version: ``{"2.0": {"verify": …, "json": …}, "3.0": …}``.

    ``verify`` is the element's verify attribute (JWS or URL) or None; ``json`` is the CDATA/text
    body stripped of surrounding whitespace, or None when empty. The first element of each
    version wins (the specs' extraction rule). The SVG is parsed with defusedxml; scripts are
    not refused here (nothing is rendered), DTDs and entities are.
    """
    scan, _ = _scan_svg(bytes(data), max_bytes=max_bytes)
    found: dict[str, dict[str, str | None]] = {}
    for version, (namespace, local) in _SVG_ELEMENTS.items():
        for element in scan.elements:
            if element.namespace == namespace and element.local == local:
                body = "".join(element.text or []).strip()
                found[version] = {"verify": element.attrib.get("verify"), "json": body or None}
                break
    return found


# --------------------------------------------------------------------------------------------
# Prepared: one base image, many payloads (batch issuing)
# --------------------------------------------------------------------------------------------


class PreparedPng:
    """A base PNG parsed once; :meth:`bake` gives what :func:`bake_png` gives for the same
    arguments, byte for byte, by splicing the new iTXt chunk between the cached IHDR and the
    cached remaining chunks (only the new chunk's CRC is computed per payload)."""

    def __init__(self, image: bytes, *, max_bytes: int = MAX_IMAGE_BYTES):
        data = bytes(image)
        chunks = list(png_chunks(data, max_bytes=max_bytes))
        if not any(chunk.type == b"IDAT" for chunk in chunks):
            raise InvalidImage("corrupt PNG: no IDAT chunk")
        self._data = data
        self._chunks = chunks
        self._tails: dict[bytes, bytes] = {}

    def _tail(self, keyword: bytes) -> bytes:
        """The chunks after IHDR (always the first), without text chunks of ``keyword``."""
        tail = self._tails.get(keyword)
        if tail is None:
            view = memoryview(self._data)
            tail = b"".join(
                view[chunk.start : chunk.end]
                for chunk in self._chunks[1:]
                if chunk.type not in _TEXT_TYPES
                or _keyword_of(view[chunk.data_start : chunk.data_end]) != keyword
            )
            self._tails[keyword] = tail
        return tail

    def bake(self, *, keyword: str, text: str) -> bytes:
        keyword_bytes = _check_keyword(keyword)
        encoded = _png_text_bytes(text)
        head = b"iTXt" + keyword_bytes + b"\x00\x00\x00\x00\x00"
        ihdr = self._chunks[0]
        return b"".join(
            (
                self._data[: ihdr.end],
                struct.pack(">I", len(head) - 4 + len(encoded)),
                head,
                encoded,
                struct.pack(">I", zlib.crc32(encoded, zlib.crc32(head))),
                self._tail(keyword_bytes),
            )
        )


class PreparedSvg:
    """A base SVG scanned once for one Open Badges version; :meth:`bake` gives what
    :func:`bake_svg` gives for the same arguments, byte for byte.

    bake_svg re-parses every result as a safety net. Here that check runs on the first bake
    only (``check_every`` for tests): the splice is the same bytes for every payload and the
    payload element comes from the same escaping code as bake_svg's, so a splice that holds
    for one payload holds for all, and re-parsing 15 KB per image would cost more than the
    bake itself.
    """

    def __init__(
        self,
        svg: bytes,
        version: Version,
        *,
        max_bytes: int = MAX_IMAGE_BYTES,
        check_every: bool = False,
    ):
        if version not in _SVG_ELEMENTS:
            raise InvalidPayload(
                f"unknown Open Badges version {version!r} (expected '2.0' or '3.0')"
            )
        self._splice = _SvgSplice.of(bytes(svg), version, max_bytes)
        self._check_next = True
        self._check_every = check_every

    def bake(
        self,
        *,
        assertion_json: str | dict | None = None,
        verify: str | None = None,
        credential_json: str | dict | None = None,
    ) -> bytes:
        element = _svg_payload_element(
            self._splice.version,
            assertion_json=assertion_json,
            verify=verify,
            credential_json=credential_json,
        )
        result = self._splice.bake(element.encode("utf-8"), check=self._check_next)
        self._check_next = self._check_every
        return result


# --------------------------------------------------------------------------------------------
# Both
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BakedBadge:
    """One payload found in an image.

    ``payload`` is what a verifier starts from: the JSON when the image carries JSON, else the
    JWS or URL; ``kind`` says which ("json", "jws", "url" or "text" for anything else).
    ``verify`` is the SVG verify attribute (hosted URL or JWS) when there is one.
    """

    version: Version
    image_format: Literal["png", "svg"]
    payload: str
    kind: Literal["json", "jws", "url", "text"]
    verify: str | None = None


def _kind(text: str) -> Literal["json", "jws", "url", "text"]:
    stripped = text.strip()
    if stripped.startswith("{"):
        return "json"
    if _looks_like_jws(stripped):
        return "jws"
    if _URL_RE.match(stripped):
        return "url"
    return "text"


def sniff_image_format(data: bytes) -> Literal["png", "svg"]:
    """Return "png" or "svg" from the first bytes; :class:`InvalidImage` for anything else."""
    head = bytes(data[:1024])
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or head.startswith(
        (b"\xff\xfe", b"\xfe\xff")  # UTF-16: refused later with a clear message
    ):
        return "svg"
    raise InvalidImage(f"not a PNG or SVG image: {_describe_foreign(head[:12])}")


def unbake(data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES) -> list[BakedBadge]:
    """Every Open Badges payload in a PNG or SVG (2.0 first, then 3.0); [] if none."""
    _check_size(data, max_bytes)
    badges: list[BakedBadge] = []
    if sniff_image_format(data) == "png":
        texts = unbake_png(data, max_bytes=max_bytes)
        for keyword, version in _KEYWORD_VERSIONS.items():
            if keyword in texts:
                text = texts[keyword]
                badges.append(BakedBadge(version, "png", text, _kind(text)))
        return badges
    for version, found in unbake_svg(data, max_bytes=max_bytes).items():
        verify, body = found["verify"], found["json"]
        payload = body if body is not None else verify
        if payload is None:
            continue
        badges.append(BakedBadge(version, "svg", payload, _kind(payload), verify))  # type: ignore[arg-type]
    return badges
