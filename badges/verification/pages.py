"""What a URL answered when it is not a badge document: a web page that links its badge (the
`<link rel="alternate">` a credential page carries), a PDF, or something else entirely."""

from html.parser import HTMLParser
from urllib.parse import urljoin

# The badge links a page may name, best first.
BADGE_TYPES = (
    "application/vc+ld+json",
    "application/vc+jwt",
    "application/jwt",
    "application/ld+json",
)
MAX_PAGE_BYTES = 2_000_000


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag != "link":
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in BADGE_TYPES and values.get("href"):
            self.links.append((kind, values["href"]))


def alternate_links(body: bytes, base_url: str) -> list[str]:
    """The page's badge links (absolute), Open Badges 3.0 first."""
    parser = _LinkParser()
    try:
        parser.feed(body[:MAX_PAGE_BYTES].decode("utf-8", errors="replace"))
    except (AssertionError, ValueError):
        return []
    ranked = sorted(parser.links, key=lambda link: BADGE_TYPES.index(link[0]))
    links = []
    for _kind, href in ranked:
        absolute = urljoin(base_url, href)
        if absolute.startswith(("https://", "http://")) and absolute not in links:
            links.append(absolute)
    return links


def answer_kind(response) -> str:
    """ "html", "pdf", "other" (not a badge format), or "badge" (JSON, a JWS or an image)."""
    content_type = (response.content_type or "").lower().split(";")[0].strip()
    head = response.body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if content_type in ("text/html", "application/xhtml+xml") or head.startswith(
        (b"<!doctype html", b"<html")
    ):
        return "html"
    if content_type == "application/pdf" or head.startswith(b"%pdf-"):
        return "pdf"
    if content_type.startswith(("video/", "audio/")) or content_type in (
        "application/zip",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/jpeg",
        "image/gif",
        "image/webp",
    ):
        return "other"
    return "badge"
