"""Unbake a PNG or SVG with IMS Global's openbadges-bakery and print what it finds, as JSON.

Runs in .interop/ob2-venv (scripts/install-interop-python.sh); no network.

    unbake.py IMAGE              {"imageType": "PNG"|"SVG"|null, "payload": <str or null>}
    unbake.py --inspect IMAGE    the same, plus the structure as the bakery's own parsers see it:
                                 PNG: every chunk read by pypng (which checks each CRC), with the
                                 keyword and text of iTXt/tEXt chunks; SVG: the openbadges:*
                                 elements found by defusedxml's minidom, with namespace,
                                 attributes and CDATA/text body.

Exit status: 0 when the bakery found an Open Badges payload, 1 when it found none (its error,
if it raised one, is in "error"), 2 when --inspect found the image malformed ("structureError").
"""

from __future__ import annotations

import argparse
import json
import sys


def _png_structure(path: str) -> list[dict]:
    import png

    chunks = []
    with open(path, "rb") as handle:
        for ctype, content in png.Reader(file=handle).chunks():
            name = bytes(ctype).decode("ascii")
            data = bytes(content)
            entry: dict = {"type": name, "length": len(data)}
            if name in ("iTXt", "tEXt"):
                keyword, _, rest = data.partition(b"\x00")
                entry["keyword"] = keyword.decode("latin-1")
                if name == "tEXt":
                    entry["text"] = rest.decode("latin-1")
                else:
                    entry["compression"] = rest[0]
                    _lang, _, rest = rest[2:].partition(b"\x00")
                    _translated, _, text = rest.partition(b"\x00")
                    entry["text"] = text.decode("utf-8")
            chunks.append(entry)
    return chunks


def _svg_structure(path: str) -> list[dict]:
    from defusedxml.minidom import parse

    document = parse(path)
    root = document.documentElement
    elements = []
    for node in root.getElementsByTagName("*"):
        if node.prefix != "openbadges":
            continue
        body = "".join(
            child.data
            for child in node.childNodes
            if child.nodeType in (child.CDATA_SECTION_NODE, child.TEXT_NODE)
        )
        elements.append(
            {
                "tagName": node.tagName,
                "namespace": node.namespaceURI,
                "parent": node.parentNode.tagName,
                "isFirstElementChild": node
                is next(c for c in root.childNodes if c.nodeType == c.ELEMENT_NODE),
                "attributes": dict(node.attributes.items()),
                "body": body,
            }
        )
    return [
        {"rootTag": root.tagName, "rootAttributes": dict(root.attributes.items())},
        *elements,
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image")
    parser.add_argument("--inspect", action="store_true")
    args = parser.parse_args(argv)

    from openbadges_bakery import check_image_type, unbake

    output: dict = {}
    payload = None
    with open(args.image, "rb") as handle:
        image_type = check_image_type(handle)
        handle.seek(0)
        try:
            payload = unbake(handle) if image_type else None
        except Exception as exc:  # the bakery raises IndexError etc. when nothing is baked
            output["error"] = f"{type(exc).__name__}: {exc}"
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8")
    output.update(imageType=image_type, payload=payload)
    status = 0 if payload else 1
    if args.inspect and image_type in ("PNG", "SVG"):
        inspect = _png_structure if image_type == "PNG" else _svg_structure
        try:
            output["structure"] = inspect(args.image)
        except Exception as exc:  # pypng's ChunkError (bad CRC, truncation), XML errors, ...
            output["structureError"] = f"{type(exc).__name__}: {exc}"
            status = 2

    json.dump(output, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
