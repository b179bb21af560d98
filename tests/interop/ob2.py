"""Helpers for the OB 2.0 interop tests: run IMS Global's validator-core and openbadges-bakery
(installed in .interop/ob2-venv by scripts/install-interop-python.sh) and serve badge documents
from a loopback HTTP server.

Without that virtualenv the tests are skipped, or fail when CI=true.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.support.services import running_in_ci

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".interop" / "ob2-venv"
VENV_PYTHON = VENV / "bin" / "python"
INSTALLED_STAMP = VENV / ".ob2-installed"
RUNNERS = REPO / "interop" / "python"
OB2_CONTEXT = "https://w3id.org/openbadges/v2"
INSTALL_HINT = "bash scripts/install-interop-python.sh"


def require_ob2_venv() -> Path:
    """The harness's Python; skip (or fail with CI=true) when it is not installed."""
    if not (VENV_PYTHON.exists() and INSTALLED_STAMP.exists()):
        reason = f"OB 2.0 validator venv missing at {VENV} (run: {INSTALL_HINT})"
        if running_in_ci():
            pytest.fail(f"{reason} (CI=true: a missing harness is a failure)", pytrace=False)
        pytest.skip(reason)
    return VENV_PYTHON


def _env() -> dict[str, str]:
    keep = ("PATH", "HOME", "TMPDIR", "SYSTEMROOT")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(PYTHONIOENCODING="utf-8", LANG="C.UTF-8", PYTHONDONTWRITEBYTECODE="1")
    return env


@dataclass
class ValidatorRun:
    returncode: int
    result: dict[str, Any]
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        return self.result["report"]

    @property
    def valid(self) -> bool:
        return bool(self.report["valid"])

    @property
    def errors(self) -> list[str]:
        return [
            message.get("result", "")
            for message in self.report["messages"]
            if message.get("messageLevel") == "ERROR"
        ]

    def nodes(self, node_type: str) -> list[dict[str, Any]]:
        return [node for node in self.result["graph"] if node.get("type") == node_type]

    def explain(self) -> str:
        return json.dumps(self.report, ensure_ascii=False, indent=1)[:4000] + self.stderr[-2000:]


def run_validator(
    *args: str, stdin: str | None = None, recipient: dict | None = None
) -> ValidatorRun:
    """Run interop/python/validate_ob2.py with validator-core; returns its parsed result."""
    python = require_ob2_venv()
    command = [str(python), str(RUNNERS / "validate_ob2.py"), *args]
    if recipient is not None:
        command += ["--recipient", json.dumps(recipient)]
    completed = subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env=_env(),
        check=False,
    )
    if completed.returncode not in (0, 1):
        pytest.fail(f"validate_ob2.py exited {completed.returncode}:\n{completed.stderr[-4000:]}")
    try:
        result = json.loads(completed.stdout)
    except ValueError:
        pytest.fail(
            f"validate_ob2.py printed no JSON:\n{completed.stdout[:2000]}\n"
            f"{completed.stderr[-4000:]}"
        )
    run = ValidatorRun(completed.returncode, result, completed.stderr)
    # The exit status and the report must agree.
    assert (completed.returncode == 0) == run.valid, run.explain()
    return run


def run_bakery(path: Path, *, malformed_ok: bool = False) -> dict[str, Any]:
    """openbadges-bakery's view of a baked image (interop/python/unbake.py --inspect).

    A malformed image (exit status 2, "structureError") fails the test unless ``malformed_ok``.
    """
    python = require_ob2_venv()
    completed = subprocess.run(
        [str(python), str(RUNNERS / "unbake.py"), "--inspect", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        env=_env(),
        check=False,
    )
    if completed.returncode not in ((0, 1, 2) if malformed_ok else (0, 1)):
        pytest.fail(
            f"unbake.py exited {completed.returncode}:\n{completed.stdout[-2000:]}\n"
            f"{completed.stderr[-4000:]}"
        )
    return json.loads(completed.stdout)


# --------------------------------------------------------------------------------------------
# A loopback web server for hosted badge documents
# --------------------------------------------------------------------------------------------


@dataclass
class Route:
    status: int
    content_type: str
    body: bytes


@dataclass
class LoopbackSite:
    """``http.server`` in a thread on 127.0.0.1 with a free port, serving registered routes."""

    routes: dict[str, Route] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> LoopbackSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.split("?", 1)[0]
                site.requested.append(path)
                route = site.routes.get(path) or Route(
                    404, "application/json", b'{"error": "not found"}'
                )
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def serve_json(self, url: str, document: dict, *, status: int = 200) -> None:
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        self.routes[self._path(url)] = Route(status, "application/ld+json", body)

    def serve_bytes(self, url: str, body: bytes, content_type: str) -> None:
        self.routes[self._path(url)] = Route(200, content_type, body)

    def _path(self, url: str) -> str:
        assert url.startswith(self.base_url), url
        return url[len(self.base_url) :] or "/"


# --------------------------------------------------------------------------------------------
# Realistic OB 2.0 documents
# --------------------------------------------------------------------------------------------


def hashed_email(email: str, salt: str) -> str:
    """OB 2.0 IdentityObject hash: "sha256$" + hex(SHA-256(identity + salt))."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def public_key_pem(private_key) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


@dataclass
class Ob2Issuer:
    """The URLs of one issuer's documents on a :class:`LoopbackSite`."""

    site: LoopbackSite
    slug: str
    issuer_url: str
    key_urls: list[str]
    badge_url: str
    revocation_list_url: str

    def assertion_url(self, name: str) -> str:
        return self.site.url(f"/ob2/{self.slug}/assertions/{name}")


def publish_issuer(
    site: LoopbackSite, keys: list, badge_image: bytes, *, slug: str = "sample-university"
) -> Ob2Issuer:
    """Serve an Issuer profile, its CryptographicKey(s), a BadgeClass with Japanese text and
    framework alignments, the images, and a RevocationList, under ``/ob2/<slug>/``.

    ``publicKey`` is the one key URL when there is one key (what validator-core accepts: it
    allows a single value on an Issuer), else the list of them.
    """
    base = f"/ob2/{slug}"
    issuer_url = site.url(base)
    key_urls = [site.url(f"{base}/keys/{n}") for n in range(1, 1 + len(keys))]
    badge_url = site.url(f"{base}/badges/data-science-basics")
    revocation_list_url = site.url(f"{base}/revocations")

    site.serve_json(
        issuer_url,
        {
            "@context": OB2_CONTEXT,
            "type": "Issuer",
            "id": issuer_url,
            "name": "サンプル大学 数理・データサイエンス教育センター",
            "url": site.url("/"),
            "email": "mc-office@sample-u.example.jp",
            "telephone": "+81312345678",
            "description": "文部科学省認定プログラムを提供する教育センターです。",
            "image": site.url(f"{base}/logo.png"),
            "publicKey": key_urls[0] if len(key_urls) == 1 else key_urls,
            "revocationList": revocation_list_url,
        },
    )
    for key, key_url in zip(keys, key_urls, strict=True):
        site.serve_json(
            key_url,
            {
                "@context": OB2_CONTEXT,
                "type": "CryptographicKey",
                "id": key_url,
                "owner": issuer_url,
                "publicKeyPem": public_key_pem(key),
            },
        )
    site.serve_bytes(site.url(f"{base}/logo.png"), badge_image, "image/png")
    site.serve_bytes(badge_url + "/image.png", badge_image, "image/png")
    site.serve_json(
        badge_url,
        {
            "@context": OB2_CONTEXT,
            "type": "BadgeClass",
            "id": badge_url,
            "name": "データサイエンス基礎（マイクロクレデンシャル）",
            "description": (
                "統計の基礎、Python によるデータ分析、データ倫理を 60 時間で学修し、"
                "最終課題で評価された者に授与します。"
            ),
            "image": badge_url + "/image.png",
            "criteria": {
                "id": badge_url + "/criteria",
                "narrative": (
                    "1. 全 15 回の講義に 80% 以上出席すること。\n"
                    "2. 最終課題（データ分析レポート）で 60 点以上を得ること。"
                ),
            },
            "issuer": issuer_url,
            "tags": ["データサイエンス", "マイクロクレデンシャル", "リスキリング"],
            "alignment": [
                {
                    "targetName": "学修成果：データを読み解き説明できる",
                    "targetUrl": site.url("/frameworks/jp-mc/descriptors/learning-outcomes"),
                    "targetDescription": "日本版マイクロクレデンシャル枠組みの記述項目「学修成果」",
                    "targetFramework": "日本版マイクロクレデンシャル枠組み",
                    "targetCode": "LO-1",
                },
                {
                    "targetName": "数理・データサイエンス・AI（リテラシーレベル）",
                    "targetUrl": site.url("/frameworks/mdash/literacy"),
                    "targetFramework": "MDASH",
                },
            ],
        },
    )
    issuer = Ob2Issuer(site, slug, issuer_url, key_urls, badge_url, revocation_list_url)
    publish_revocation_list(issuer, [])
    return issuer


def publish_revocation_list(issuer: Ob2Issuer, revoked: list[dict | str]) -> None:
    """Serve the RevocationList with ``revoked`` plus two unrelated entries.

    validator-core compacts JSON-LD, which turns a one-element array into a bare object that its
    revocation check then never matches; real lists (and these) always have several entries.
    """
    filler = [
        {"id": "urn:uuid:3b7b2c0e-0000-4000-8000-000000000001", "revocationReason": "誤発行"},
        "urn:uuid:3b7b2c0e-0000-4000-8000-000000000002",
    ]
    issuer.site.serve_json(
        issuer.revocation_list_url,
        {
            "@context": OB2_CONTEXT,
            "type": "RevocationList",
            "id": issuer.revocation_list_url,
            "issuer": issuer.issuer_url,
            "revokedAssertions": [*revoked, *filler],
        },
    )


def assertion_document(
    issuer: Ob2Issuer,
    *,
    assertion_id: str,
    email: str,
    salt: str,
    verification: dict,
) -> dict:
    return {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_id,
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": salt,
            "identity": hashed_email(email, salt),
        },
        "badge": issuer.badge_url,
        "issuedOn": "2025-03-31T10:00:00+09:00",
        "expires": "2099-03-31T23:59:59+09:00",
        "verification": verification,
        "evidence": {
            "narrative": "最終課題「東京都の人口動態の分析」にて 85 点を獲得。",
        },
        "narrative": "2024 年度後期 データサイエンス基礎 修了",
    }


def bakery_testfile(name: str) -> bytes:
    """One of the sample images shipped inside the openbadges-bakery package."""
    require_ob2_venv()
    [directory] = VENV.glob("lib/python3*/site-packages/openbadges_bakery/testfiles")
    return (directory / name).read_bytes()
