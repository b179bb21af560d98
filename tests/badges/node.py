"""Running the Node interop harness (interop/node/*.mjs, Digital Bazaar's libraries) from pytest.

``scripts/install-interop-node.sh`` installs it. Without node or node_modules the calling test
is skipped, or fails when CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.services import running_in_ci

REPO = Path(__file__).resolve().parent.parent.parent
NODE_DIR = REPO / "interop" / "node"
DEFAULT_TIMEOUT = 120


class NodeScriptError(AssertionError):
    """A harness script failed in a way the caller did not expect."""


@dataclass(frozen=True)
class NodeRun:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        try:
            return json.loads(self.stdout)
        except ValueError as error:
            raise NodeScriptError(
                f"node printed no JSON (exit {self.returncode}): {self.stdout!r} {self.stderr!r}"
            ) from error


def require_node_harness() -> str:
    """The node executable, after checking the harness is installed (skip / fail if not)."""
    node = shutil.which("node")
    if node is None:
        reason = "node is not installed"
    elif not (NODE_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        reason = "interop/node/node_modules is missing: run scripts/install-interop-node.sh"
    else:
        return node
    if running_in_ci():
        pytest.fail(f"{reason} (CI=true: the Node interop harness is required)", pytrace=False)
    pytest.skip(reason)


def run_script(
    script: str, payload: Any = None, *, args: tuple[str, ...] = (), timeout: int = DEFAULT_TIMEOUT
) -> NodeRun:
    """Run ``interop/node/<script>`` with ``payload`` as JSON on stdin."""
    node = require_node_harness()
    completed = subprocess.run(
        [node, str(NODE_DIR / script), *args],
        input=json.dumps(payload, ensure_ascii=False) if payload is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=NODE_DIR,
        timeout=timeout,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
        check=False,
    )
    return NodeRun(completed.returncode, completed.stdout, completed.stderr)


def node_verify(credential: dict, *, documents: dict | None = None, now: str | None = None) -> dict:
    """``{"verified": bool, "errors": [...]}`` from @digitalbazaar/vc verifyCredential."""
    payload = {"credential": credential, "documents": documents or {}}
    if now:
        payload["now"] = now
    run = run_script("verify.mjs", payload)
    result = run.json()
    if run.returncode != (0 if result.get("verified") else 1):
        raise NodeScriptError(f"verify.mjs exit code {run.returncode} for {result}")
    return result


def node_verify_many(credentials: list[dict], *, documents: dict | None = None) -> list[dict]:
    """One ``{"verified", "errors"}`` per credential, in a single node process."""
    run = run_script("verify.mjs", {"credentials": credentials, "documents": documents or {}})
    return run.json()["results"]


def node_sign(
    credential: dict,
    *,
    secret_key_multibase: str,
    verification_method: str,
    created: str | None = None,
    documents: dict | None = None,
) -> dict:
    """The credential signed by @digitalbazaar/vc issue (eddsa-rdfc-2022)."""
    payload = {
        "credential": credential,
        "secretKeyMultibase": secret_key_multibase,
        "verificationMethod": verification_method,
        "documents": documents or {},
    }
    if created:
        payload["created"] = created
    run = run_script("sign.mjs", payload)
    if run.returncode != 0:
        raise NodeScriptError(f"sign.mjs failed: {run.stderr}")
    return run.json()


def node_canonize(document: dict, *, documents: dict | None = None) -> str:
    """Canonical N-Quads exactly as the eddsa-rdfc-2022 cryptosuite computes them."""
    run = run_script("canonize.mjs", {"document": document, "documents": documents or {}})
    if run.returncode != 0:
        raise NodeScriptError(f"canonize.mjs failed: {run.stderr}")
    return run.stdout


def node_canonize_many(documents_to_canonize: list, *, documents: dict | None = None) -> list:
    """One ``{"nquads": ...}`` or ``{"error": ...}`` per document, in a single node process."""
    run = run_script("canonize.mjs", {"batch": documents_to_canonize, "documents": documents or {}})
    if run.returncode != 0:
        raise NodeScriptError(f"canonize.mjs failed: {run.stderr}")
    return run.json()["results"]


def node_decode_status_list(encoded_list: str) -> dict:
    """``{"length": bits, "set": [indices]}`` from @digitalbazaar/vc-bitstring-status-list."""
    run = run_script("decode-status-list.mjs", {"encodedList": encoded_list})
    if run.returncode != 0:
        raise NodeScriptError(f"decode-status-list.mjs failed: {run.stderr}")
    return run.json()


# ---------------------------------------------------------------------------------------------
# Shared fixtures for the OB 3.0 tests (plain data and a loopback server; no Django).

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def open_badge_credential(issuer_id: str, *, achievement: dict | None = None) -> dict:
    """A realistic unsigned Open Badges 3.0 OpenBadgeCredential for a Japanese micro-credential
    (VC Data Model 2.0 + OB 3.0.3 contexts)."""
    return {
        "@context": [VC_V2, OB_V3P0],
        "id": "urn:uuid:5c3a3e0e-8f5d-4b8e-9a47-1d2f3c4b5a69",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "データサイエンス基礎 マイクロクレデンシャル",
        "description": "統計学の基礎と Python によるデータ分析の修得を証明します。",
        "issuer": {
            "id": issuer_id,
            "type": ["Profile"],
            "name": "東都デジタル大学 リカレント教育センター",
            "url": "https://www.example.ac.jp/recurrent/",
            "email": "mc-office@example.ac.jp",
        },
        "validFrom": "2025-04-01T00:00:00+09:00",
        "validUntil": "2035-03-31T23:59:59+09:00",
        "awardedDate": "2025-03-28T10:00:00+09:00",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": "sha256$0f6d3a3c8a4ab2b5c2e1f0e7d9c8b7a6"
                    "f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": "f3a9c1",
                }
            ],
            "creditsEarned": 1.5,
            "activityStartDate": "2024-10-01T00:00:00+09:00",
            "activityEndDate": "2025-02-14T00:00:00+09:00",
            "achievement": achievement
            or {
                "id": "https://portal.example.jp/achievements/ds-basic-2025",
                "type": ["Achievement"],
                "achievementType": "MicroCredential",
                "name": "データサイエンス基礎",
                "description": "記述統計・推測統計の基礎と pandas によるデータ分析を学ぶ。",
                "criteria": {
                    "narrative": "全 8 回の講義に出席し、最終課題（データ分析レポート）で"
                    " 60 点以上を取得すること。"
                },
                "creditsAvailable": 1.5,
                "fieldOfStudy": "情報科学",
                "humanCode": "DS-101",
                "inLanguage": "ja",
                "tag": ["データサイエンス", "統計", "Python"],
                "image": {
                    "id": "https://portal.example.jp/media/badges/ds-basic.png",
                    "type": "Image",
                    "caption": "データサイエンス基礎 バッジ",
                },
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "データを収集・整理し、基本統計量で説明できる",
                        "targetUrl": "https://portal.example.jp/frameworks/outcomes/ds-1",
                        "targetFramework": "数理・データサイエンス・AI 教育プログラム",
                        "targetType": "ext:LearningOutcome",
                    },
                    {
                        "type": ["Alignment"],
                        "targetName": "Python で再現可能な分析を記述できる",
                        "targetUrl": "https://portal.example.jp/frameworks/outcomes/ds-2",
                        "targetType": "ext:LearningOutcome",
                    },
                ],
            },
        },
    }


class LoopbackServer:
    """A static JSON server on 127.0.0.1 (a random port) for did:web and loopback-http tests.

    ``with LoopbackServer() as server: server.documents["/path"] = {...}``; ``server.url(p)``
    and ``server.host`` ("127.0.0.1:port"). ``requested`` lists the paths asked for."""

    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}
        self.requested: list[str] = []
        self._server: Any = None
        self._thread: Any = None

    def __enter__(self) -> LoopbackServer:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requested.append(self.path)
                document = server.documents.get(self.path)
                if document is None:
                    self.send_error(404)
                    return
                body = json.dumps(document).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"


def ob_document(**extra) -> dict:
    """A minimal OB 3.0 credential body (no issuer, no subject) with ``extra`` properties."""
    return {
        "@context": [VC_V2, OB_V3P0],
        "id": "urn:uuid:00000000-0000-4000-8000-000000000000",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "テスト",
        **extra,
    }


def _with_context(**terms) -> dict:
    return {"@context": {"name": "https://schema.org/name", **terms}}


# Documents JSON-LD safe mode must refuse (pyld alone would silently drop something), with the
# condition's name as jsonld.js and badges.jsonld.SafeModeError.code give it.
UNSAFE_DOCUMENTS = [
    (ob_document(portalNote="内部メモ"), "invalid property"),
    (ob_document(issuer={"id": "did:example:1", "nickname": "x"}), "invalid property"),
    (
        ob_document(credentialSubject={"type": ["AchievementSubject"], "achievement": {"foo": 1}}),
        "invalid property",
    ),
    (ob_document(**{"@foo": "bar"}), "invalid property"),
    ({**_with_context(dropped=None), "@id": "urn:x", "dropped": 1}, "invalid property"),
    (ob_document(type=["VerifiableCredential", "MysteryCredential"]), "relative @type reference"),
    ({**ob_document(), "id": "credentials/1"}, "relative @id reference"),
    (ob_document(issuer="issuers/1"), "relative @id reference"),
    ({**_with_context(), "name": {"@value": "x", "@language": "ja JP"}}, "invalid @language value"),
    ({**_with_context(bad="_:predicate"), "@id": "urn:x", "bad": "x"}, "blank node predicate"),
    ({**_with_context(), "@id": "urn:only-an-id"}, "empty object"),
]


def node_sign_vc_jwt(
    credential: dict, *, alg: str = "RS256", issuer: str = "did:jwk", header: str = "jwk"
) -> dict:
    """``{"token", "issuer", "publicJwk"}``: the credential signed as a VC-JWT by panva's jose
    (interop/node/jwt.mjs) with a fresh key; issuer "did:jwk" makes the issuer that key's DID."""
    run = run_script(
        "jwt.mjs",
        {"sign": {"credential": credential, "alg": alg, "issuer": issuer, "header": header}},
    )
    return run.json()


def node_verify_vc_jwt(token: str, *, jwk: dict | None = None, jwks: dict | None = None) -> dict:
    """``{"verified": bool, "payload"...}`` from jose.jwtVerify with the given key or key set."""
    return run_script("jwt.mjs", {"verify": {"token": token, "jwk": jwk, "jwks": jwks}}).json()


def node_wallet_proof(
    *, aud: str, nonce: str, alg: str = "ES256", holder: str = "did:jwk", **extra
) -> dict:
    """``{"jwt", "did"}``: an OpenID4VCI proof JWT made by panva's jose with a fresh key, as a
    wallet makes it (holder "did:jwk", "did:key" (EdDSA) or a bare "jwk" header)."""
    return run_script(
        "jwt.mjs", {"proof": {"aud": aud, "nonce": nonce, "alg": alg, "holder": holder, **extra}}
    ).json()


def node_present(*, challenge: str, domain: str, holder: bool = True) -> dict:
    """``{"presentation", "did"}``: a DIDAuthentication presentation signed eddsa-rdfc-2022 by a
    fresh did:key with Digital Bazaar's vc.signPresentation (interop/node/present.mjs)."""
    return run_script(
        "present.mjs", {"challenge": challenge, "domain": domain, "holder": holder}
    ).json()


def assert_verified_and_clear(result: dict) -> None:
    """Digital Bazaar verified the proof and every status bit it checked is clear.
    (``verified`` alone is true for a revoked credential: the bit is in ``statuses``.)"""
    assert result["verified"] is True and result["errors"] == [], result
    assert not any(status["set"] for status in result.get("statuses", [])), result


def status_bits(result: dict) -> dict[str, bool]:
    """{"revocation": bool, "suspension": bool} as Digital Bazaar's status check read them."""
    return {status["purpose"]: status["set"] for status in result.get("statuses", [])}
