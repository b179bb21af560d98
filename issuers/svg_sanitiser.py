"""Allow-list sanitiser for uploaded SVG images (issuer logos, badge images).

An SVG is a document that can run script and load or link anything; an uploaded one is served
from the portal's origin, so it is rebuilt here from its parsed tree keeping only:

- elements of the SVG namespace in ELEMENTS (no script, foreignObject, animation, links);
- attributes without a namespace in ATTRIBUTES, plus xlink:href (rewritten to href),
  xml:space and xml:lang; never an event handler;
- references only to a fragment of the same file (``#id``, ``url(#id)``) and, in ``<image>``,
  inline PNG/JPEG/GIF (``data:image/…;base64,``); schemes are compared after decoding
  entities (the XML parser does) and removing every ASCII whitespace and control character,
  case-insensitively, so ``java&#9;script:`` and ``JaVaScRiPt:`` are seen as what they are;
- CSS (``style`` attributes and ``<style>`` rules) made of known properties whose values use
  only the functions in CSS_FUNCTIONS (so no ``image-set()``, no ``@import``, no url() but
  ``url(#id)``).

Editor metadata (Inkscape, Illustrator, RDF, ``<metadata>``, comments) is dropped quietly;
everything else outside the allow-list is reported, and the caller refuses the upload naming
it (issuers.images). Parsing uses defusedxml: no DOCTYPE, no entities, no external resources.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # builds and serialises only; parsing is defusedxml
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .svg_vocabulary import (
    ATTRIBUTES,
    CSS_FUNCTIONS,
    CSS_PROPERTIES,
    ELEMENTS,
    IMAGE_ELEMENTS,
    QUIET_ELEMENTS,
    QUIET_NAMESPACES,
    REFERENCE_ELEMENTS,
    TEXT_ATTRIBUTES,
    URL_ATTRIBUTES,
)

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Everything browsers ignore inside a URL scheme: ASCII whitespace and control characters.
INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
FRAGMENT = re.compile(r"#[A-Za-z_][\w.\-]*")
IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/]+=*")
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
CSS_FUNCTION = re.compile(r"([a-z][a-z0-9-]*)\s*\(", re.IGNORECASE)
CSS_RULE = re.compile(r"\s*([^{}]+?)\s*\{([^{}]*)\}", re.DOTALL)
CSS_SELECTOR = re.compile(r"[A-Za-z0-9_\-.#,>*:\s]+")
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


class NotAnSvg(ValueError):
    """The bytes are not a well-formed SVG document we are willing to parse."""


@dataclass
class Sanitised:
    svg: bytes
    refused: list[str] = field(default_factory=list)  # what was unsafe, for the error message


def sanitise_svg(data: bytes) -> Sanitised:
    """The allow-listed SVG (re-serialised) and what was unsafe in the input."""
    if b"<?xml-stylesheet" in data:
        refused = ["<?xml-stylesheet?>"]
    else:
        refused = []
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:
        raise NotAnSvg(str(exc)) from exc
    if _namespace(root.tag) not in (SVG_NS, "") or _local(root.tag) != "svg":
        raise NotAnSvg("the root element is not <svg>")
    cleaner = _Cleaner(refused)
    clean_root = cleaner.element(root)[0]
    # Every kept element is SVG: written unprefixed under one default namespace declaration
    # (set here, not with ET.register_namespace, which would change ElementTree process-wide).
    clean_root.set("xmlns", SVG_NS)
    body = ET.tostring(clean_root, encoding="unicode", short_empty_elements=True)
    return Sanitised(svg=body.encode("utf-8"), refused=_unique(refused))


def is_safe_reference(value: str, *, image: bool = False) -> bool:
    """A same-file fragment, or (for images) an inline PNG/JPEG/GIF."""
    compact = INVISIBLE.sub("", value)
    if FRAGMENT.fullmatch(compact):
        return True
    return image and IMAGE_DATA.fullmatch(_lower_scheme(compact)) is not None


def _lower_scheme(value: str) -> str:
    head, sep, rest = value.partition(",")
    return head.lower() + sep + rest


class _Cleaner:
    def __init__(self, refused: list[str]):
        self.refused = refused

    def element(self, source: ET.Element) -> list[ET.Element]:
        """The cleaned copy of `source` ([]: dropped), its children cleaned the same way."""
        if not isinstance(source.tag, str):  # comments and processing instructions
            return []
        namespace, name = _namespace(source.tag), _local(source.tag)
        if namespace not in (SVG_NS, ""):
            if namespace not in QUIET_NAMESPACES:
                self.refused.append(f"<{name}> ({namespace})")
            return []
        if name in QUIET_ELEMENTS:
            return []
        if name not in ELEMENTS:
            self.refused.append(f"<{name}>")
            return []
        copy = ET.Element(name)  # in the SVG namespace declared on the root
        for attribute, value in source.attrib.items():
            self.attribute(copy, name, attribute, value)
        if name == "style":
            copy.text = self.stylesheet(source.text or "")
            return [copy]
        copy.text = source.text
        for child in source:
            cleaned = self.element(child)
            copy.extend(cleaned)
            tail_holder = cleaned[-1] if cleaned else None
            _append_text(copy, tail_holder, child.tail)
        return [copy]

    def attribute(self, target: ET.Element, element: str, attribute: str, value: str) -> None:
        namespace, name = _namespace(attribute), _local(attribute)
        if namespace == XLINK_NS and name == "href":
            namespace = ""
        elif namespace == XML_NS and name in ("space", "lang"):
            target.set(attribute, value)
            return
        if namespace:
            # Browsers act on no namespaced attribute but xlink:href (handled above) and
            # xml:base (which would re-aim references); editors add many harmless others.
            if namespace == XML_NS:
                self.refused.append(f"xml:{name}=")
            return
        if name in URL_ATTRIBUTES:
            self.reference(target, element, name, value)
        elif name == "style":
            declarations = self.declarations(value)
            if declarations:
                target.set("style", declarations)
        elif name in TEXT_ATTRIBUTES:
            target.set(name, value)
        elif name in ATTRIBUTES:
            if self.css_value_is_safe(name, value):
                target.set(name, value)
        elif name.lower().startswith("on"):
            self.refused.append(f"{name}=")
        # Other unknown attributes (editor leftovers such as data-name) are dropped quietly.

    def reference(self, target: ET.Element, element: str, name: str, value: str) -> None:
        if element not in REFERENCE_ELEMENTS:
            self.refused.append(f"<{element} {name}=…>")
        elif is_safe_reference(value, image=element in IMAGE_ELEMENTS):
            target.set("href", INVISIBLE.sub("", value))
        else:
            self.refused.append(f'{name}="{_shorten(value)}"')

    def css_value_is_safe(self, name: str, value: str) -> bool:
        lowered = INVISIBLE.sub("", value).lower()
        if "\\" in value or "@" in value or "<" in value or "/*" in value:
            self.refused.append(f'{name}: "{_shorten(value)}"')
            return False
        functions = {match.lower() for match in CSS_FUNCTION.findall(value)}
        unknown = functions - CSS_FUNCTIONS
        if unknown:
            self.refused.append(f"{name}: {sorted(unknown)[0]}()")
            return False
        if "url(" in lowered:
            for _quote, target in CSS_URL.findall(value):
                if not FRAGMENT.fullmatch(INVISIBLE.sub("", target)):
                    self.refused.append(f"url({_shorten(target)})")
                    return False
            if lowered.count("url(") != len(CSS_URL.findall(value)):
                self.refused.append(f'{name}: "{_shorten(value)}"')
                return False
        return True

    def declarations(self, text: str) -> str:
        """The allowed `property: value` pairs of a style attribute or rule."""
        kept = []
        for declaration in text.split(";"):
            if not declaration.strip():
                continue
            name, colon, value = declaration.partition(":")
            name = name.strip().lower()
            if not colon or name not in CSS_PROPERTIES:
                if any(sign in declaration for sign in "(@\\"):  # a function, rule or escape
                    self.refused.append(f'"{_shorten(declaration.strip())}"')
                continue
            if self.css_value_is_safe(name, value):
                kept.append(f"{name}:{value.strip()}")
        return ";".join(kept)

    def stylesheet(self, text: str) -> str:
        """Plain `selector { declarations }` rules only; anything else refuses the sheet."""
        text = CSS_COMMENT.sub("", text)
        rules, position = [], 0
        for match in CSS_RULE.finditer(text):
            selector, body = match.groups()
            if text[position : match.start()].strip() or not CSS_SELECTOR.fullmatch(selector):
                self.refused.append(f"<style> {_shorten(text[position : match.end()].strip())}")
                return ""
            position = match.end()
            declarations = self.declarations(body)
            if declarations:
                rules.append(f"{' '.join(selector.split())}{{{declarations}}}")
        if text[position:].strip():
            self.refused.append(f"<style> {_shorten(text[position:].strip())}")
            return ""
        return "".join(rules)


def _append_text(parent: ET.Element, previous: ET.Element | None, text: str | None) -> None:
    if not text:
        return
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    elif len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _shorten(value: str, limit: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
