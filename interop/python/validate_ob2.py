"""Validate an Open Badges 2.0 badge with IMS Global's validator-core (PyPI ``openbadges``).

Runs in .interop/ob2-venv (scripts/install-interop-python.sh), fully offline: only loopback URLs
are fetched and the OB 2.0 JSON-LD context comes from contexts/ (see offline.py).

    validate_ob2.py INPUT            a loopback URL, an assertion JSON string or a compact JWS
    validate_ob2.py -                the same, read from standard input
    validate_ob2.py --file PATH      a baked PNG/SVG (unbaked by openbadges-bakery inside
                                     validator-core), or a text file holding any of the above
    --recipient JSON                 a trusted recipient profile, e.g. '{"email": "a@example.jp"}',
                                     which validator-core checks the (hashed) identity against

Prints validator-core's JSON result ({"graph", "input", "report"}) on standard output.
Exit status: 0 when report.valid is true, 1 when it is false, 2 on a usage error or when
validator-core cannot process the input at all (traceback on standard error).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback

import offline

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _is_image(data: bytes) -> bool:
    return data.startswith(PNG_SIGNATURE) or b"<svg" in data[:4096]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("input", nargs="?", help="URL, JSON or JWS; '-' reads standard input")
    source.add_argument("--file", help="a baked PNG/SVG, or a file holding a URL, JSON or JWS")
    parser.add_argument("--recipient", help="trusted recipient profile as JSON")
    args = parser.parse_args(argv)

    offline.install()
    # Imported after the fences are up: validator-core builds sessions at import time.
    from openbadges import verify
    from openbadges.verifier.utils import CachableDocumentLoader
    from pyld import jsonld

    # PyLD's own default loader (used by a few validator-core calls without options) goes
    # through requests too, hence through the offline fence.
    jsonld.set_document_loader(CachableDocumentLoader(use_cache=False))

    recipient = json.loads(args.recipient) if args.recipient else None

    try:
        if args.file:
            with open(args.file, "rb") as handle:
                data = handle.read()
            if _is_image(data):
                with open(args.file, "rb") as image:
                    result = verify(image, recipient_profile=recipient)
            else:
                result = verify(data.decode("utf-8").strip(), recipient_profile=recipient)
        else:
            text = sys.stdin.read() if args.input == "-" else args.input
            result = verify(text.strip(), recipient_profile=recipient)
    except Exception:  # e.g. NotImplementedError for input that is no URL, JSON or JWS
        traceback.print_exc()
        return 2

    json.dump(result, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    return 0 if result["report"]["valid"] else 1


if __name__ == "__main__":
    sys.exit(main())
