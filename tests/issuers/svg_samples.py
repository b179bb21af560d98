"""Hostile and benign SVG uploads, shared by the sanitiser's unit tests and the Chromium tests.

Every hostile one tries to run `alert()` (or navigate, or load from elsewhere) when the file is
opened as a page, shown in an <img> or clicked. The browser tests listen for a dialog.
"""

from __future__ import annotations

import base64
import io

from PIL import Image

SVG_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:h="http://www.w3.org/1999/xhtml" width="200" height="200" viewBox="0 0 200 200">'
)
CLICK_TARGET = '<rect id="target" width="200" height="200" fill="#c33"/>'


def svg(body: str) -> bytes:
    return f"{SVG_OPEN}{body}</svg>".encode()


def _clickable_link(attribute: str, value: str) -> bytes:
    return svg(f'<a {attribute}="{value}">{CLICK_TARGET}</a>')


# (id, file bytes, text that must be named in the refusal)
HOSTILE = [
    (
        "smil set xlink:href to java<TAB>script:",
        svg(
            f'<a id="link"><set attributeName="xlink:href" to="java&#9;script:alert(1)"/>'
            f"{CLICK_TARGET}</a>"
        ),
        "<a>",
    ),
    (
        "smil set href on a use-less anchor inside a group",
        svg(
            f"<g><set attributeName='href' to='javascript:alert(1)' begin='0s'/>{CLICK_TARGET}</g>"
        ),
        "<set>",
    ),
    (
        "animate onclick into existence",
        svg(f'{CLICK_TARGET}<animate attributeName="onclick" to="alert(1)"/>'),
        "<animate>",
    ),
    ("entity-encoded scheme", _clickable_link("xlink:href", "&#x6A;avascript:alert(1)"), "<a>"),
    ("mixed-case scheme", _clickable_link("href", "JaVaScRiPt:alert(1)"), "<a>"),
    (
        "tab and newline inside scheme",
        _clickable_link("href", "java&#9;scr&#10;ipt:alert(1)"),
        "<a>",
    ),
    ("plain link to another site", _clickable_link("xlink:href", "https://evil.example/"), "<a>"),
    ("script element", svg(f"<script>alert(1)</script>{CLICK_TARGET}"), "<script>"),
    (
        "script element in CDATA with xlink src",
        svg('<script xlink:href="data:text/javascript,alert(1)"/>'),
        "<script>",
    ),
    (
        "onload on the root",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "onload=",
    ),
    ("onclick on a shape", svg('<rect width="200" height="200" onclick="alert(1)"/>'), "onclick="),
    (
        "foreignObject with XHTML",
        svg(
            '<foreignObject width="200" height="200"><h:iframe src="javascript:alert(1)"/>'
            "</foreignObject>"
        ),
        "<foreignObject>",
    ),
    (
        "XHTML form",
        svg('<h:form action="https://evil.example/"><h:input type="submit"/></h:form>'),
        "<form>",
    ),
    (
        "XHTML meta refresh",
        svg('<h:meta http-equiv="refresh" content="0;url=javascript:alert(1)"/>'),
        "<meta>",
    ),
    ("XHTML img onerror", svg('<h:img src="x" onerror="alert(1)"/>'), "<img>"),
    (
        "style element with @import",
        svg("<style>@import url(https://evil.example/x.css); rect{fill:red}</style>"),
        "@import",
    ),
    (
        "style element with an external url()",
        svg("<style>rect{fill:url(https://evil.example/p.svg#a)}</style>" + CLICK_TARGET),
        "https://evil.example/p.svg#a",
    ),
    (
        "style attribute with image-set",
        svg(
            '<rect width="9" height="9" style="fill:red;'
            "background:image-set('https://evil.example/t.png' 1x)\"/>"
        ),
        "image-set",
    ),
    (
        "fill with an external url()",
        svg('<rect width="9" height="9" fill="url(https://evil.example/p.svg#g)"/>'),
        "url(https://evil.example/p.svg#g)",
    ),
    (
        "external image href",
        svg('<image href="https://evil.example/track.png" width="9" height="9"/>'),
        "https://evil.example/track.png",
    ),
    (
        "use of an external document",
        svg('<use href="https://evil.example/x.svg#a"/>'),
        "https://evil.example/x.svg#a",
    ),
    (
        "image of data:text/html",
        svg(
            '<image href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="'
            ' width="9" height="9"/>'
        ),
        "data:text/html",
    ),
    (
        "image of a nested SVG data URI",
        svg('<image href="data:image/svg+xml;base64,PHN2Zy8+" width="9" height="9"/>'),
        "data:image/svg+xml",
    ),
    ("iframe in the SVG namespace", svg('<iframe src="javascript:alert(1)"/>'), "<iframe>"),
    (
        "handler element",
        svg('<handler type="application/ecmascript">alert(1)</handler>'),
        "<handler>",
    ),
    (
        "xml-stylesheet instruction",
        b'<?xml-stylesheet href="https://evil.example/x.css"?>' + svg(CLICK_TARGET),
        "xml-stylesheet",
    ),
    (
        "css escape hiding url",
        svg('<rect width="9" height="9" style="fill:u\\72l(https://evil.example/a)"/>'),
        "fill",
    ),
]

# DOCTYPEs are refused before anything is parsed (no entity is ever expanded).
DOCTYPES = [
    (
        "billion laughs",
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>',
    ),
    (
        "external entity",
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    ),
    (
        "entity hiding a script",
        b'<?xml version="1.0"?><!DOCTYPE svg '
        b'[<!ENTITY s "&#60;script&#62;alert(1)&#60;/script&#62;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&s;</svg>',
    ),
]

# What must never reach a stored or served file, whatever the input.
DANGEROUS_MARKERS = (
    "script",
    "javascript",
    "foreignobject",
    "xhtml",
    "http:",
    "https:",
    "@import",
    "image-set",
    "onload",
    "onclick",
    "onerror",
    "<set",
    "<animate",
    "<a ",
    "data:text",
    "data:image/svg",
    "<iframe",
    "<handler",
)


def tiny_png() -> bytes:
    image = Image.new("RGB", (4, 4), (0, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def tiny_png_data_uri() -> str:
    return "data:image/png;base64," + base64.b64encode(tiny_png()).decode()


# A typical Inkscape export: editor metadata (dropped quietly), gradients, defs, use of a local
# symbol, clipPath, mask, a filter, text, a <style> sheet with classes, an inline PNG.
INKSCAPE_EXPORT = f"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:cc="http://creativecommons.org/ns#"
     width="240" height="240" viewBox="0 0 240 240" version="1.1" id="svg1"
     inkscape:version="1.3 (0e150ed6c4, 2023-07-21)" sodipodi:docname="badge.svg">
  <sodipodi:namedview id="namedview1" pagecolor="#ffffff" inkscape:zoom="1.5"/>
  <metadata><rdf:RDF><cc:Work rdf:about=""><dc:title>Badge</dc:title></cc:Work></rdf:RDF>
  </metadata>
  <defs id="defs1">
    <style>.ring {{ fill: none; stroke: url(#gold); stroke-width: 10 }} .label{{fill:#fff}}</style>
    <linearGradient id="gold" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#f7d46b"/><stop offset="1" stop-color="#b8860b"/>
    </linearGradient>
    <radialGradient id="glow" xlink:href="#gold" cx="0.5" cy="0.5" r="0.5"/>
    <clipPath id="round"><circle cx="120" cy="120" r="110"/></clipPath>
    <mask id="fade"><rect width="240" height="240" fill="#fff" opacity="0.8"/></mask>
    <filter id="shadow" x="-0.1" y="-0.1" width="1.2" height="1.2">
      <feGaussianBlur in="SourceAlpha" stdDeviation="3"/><feOffset dx="2" dy="2" result="o"/>
      <feMerge><feMergeNode in="o"/><feMergeNode in="SourceGraphic"/></feMerge>
    </filter>
    <symbol id="star" viewBox="0 0 10 10"><path d="M5 0 6 4 10 4 7 6 8 10 5 7 2 10 3 6 0 4 4 4z"/>
    </symbol>
  </defs>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" clip-path="url(#round)">
    <rect width="240" height="240" fill="url(#glow)" mask="url(#fade)"/>
    <circle class="ring" cx="120" cy="120" r="100" filter="url(#shadow)"/>
    <use xlink:href="#star" x="95" y="40" width="50" height="50" fill="#fff"/>
    <image href="{tiny_png_data_uri()}" x="100" y="180" width="40" height="20"/>
    <text class="label" x="120" y="140" font-size="28" text-anchor="middle"
          style="font-weight:bold;font-family:sans-serif"
          >データ<tspan fill="#ffe">基礎</tspan></text>
  </g>
</svg>
""".encode()

# An Illustrator export: classes in a CDATA style sheet, data-name attributes, enable-background.
ILLUSTRATOR_EXPORT = b"""<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 28.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0) -->
<svg version="1.1" id="Layer_1" xmlns="http://www.w3.org/2000/svg"
     xmlns:xlink="http://www.w3.org/1999/xlink" x="0px" y="0px" viewBox="0 0 200 200"
     style="enable-background:new 0 0 200 200;" xml:space="preserve">
<style type="text/css">
<![CDATA[
  .st0{fill:#1D4E89;}
  .st1{fill:none;stroke:#FFFFFF;stroke-width:6;stroke-miterlimit:10;}
  .st2{font-family:'NotoSansJP-Bold';font-size:24px;fill:#FFFFFF;}
]]>
</style>
<g id="badge" data-name="badge">
  <circle class="st0" cx="100" cy="100" r="95"/>
  <circle class="st1" cx="100" cy="100" r="80"/>
  <polygon class="st1"
    points="100,40 115,80 160,80 125,105 140,150 100,120 60,150 75,105 40,80 85,80"/>
  <text transform="matrix(1 0 0 1 52 180)" class="st2">MC 2026</text>
</g>
</svg>
"""
