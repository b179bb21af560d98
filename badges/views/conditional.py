"""Strong ETags for the public documents and images that never change once signed, and the
If-None-Match check that answers them with 304 (badges/views/ob2.py, ob3.py)."""

import hashlib


def strong_etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def not_modified(request, etag: str) -> bool:
    """Whether the client already holds these bytes (If-None-Match names the ETag)."""
    sent = request.headers.get("If-None-Match", "")
    return etag in {tag.strip() for tag in sent.split(",") if tag.strip()}
