"""Keeping an uploaded results file between its dry run and the confirmation to apply it.

The bytes go to a private temporary directory under a random token; the session holds the
token with the version, the options and the file's hash. Nothing the user sends becomes a path,
and a token only works in the session (and for the version) that uploaded it.
"""

import hashlib
import secrets
import tempfile
import time
from pathlib import Path

SESSION_KEY = "credentials_results_imports"
MAX_AGE_SECONDS = 24 * 60 * 60
MAX_PENDING = 5


def _directory() -> Path:
    directory = Path(tempfile.gettempdir()) / "mc-portal-imports"
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


def _sweep(directory: Path) -> None:
    # Uploads nobody confirmed: remove them once they are a day old.
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in directory.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def stash(request, *, version_id: int, data: bytes, filename: str, options: dict) -> str:
    directory = _directory()
    _sweep(directory)
    token = secrets.token_urlsafe(24)
    path = directory / token
    path.touch(mode=0o600)
    path.write_bytes(data)
    pending = request.session.get(SESSION_KEY, {})
    while len(pending) >= MAX_PENDING:
        discard(request, next(iter(pending)))
        pending = request.session.get(SESSION_KEY, {})
    pending[token] = {
        "version": version_id,
        "sha256": hashlib.sha256(data).hexdigest(),
        "filename": filename,
        "options": options,
    }
    request.session[SESSION_KEY] = pending
    return token


def load(request, token: str, *, version_id: int) -> tuple[bytes, dict] | None:
    """The stashed bytes and their entry, if the token belongs to this session and version."""
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["version"] != version_id:
        return None
    path = _directory() / token
    if not path.is_file():
        return None
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return None
    return data, entry


def discard(request, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    if pending.pop(token, None) is not None:
        (_directory() / token).unlink(missing_ok=True)
    request.session[SESSION_KEY] = pending
