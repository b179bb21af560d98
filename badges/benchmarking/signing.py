"""OB 3.0 signing, ours against @digitalbazaar/vc, on the very same unsigned credentials of
awards the benchmark issued, one core each: ours in this process with what badges.batches
signs with, theirs through interop/node/bench-sign.mjs. Ed25519 is deterministic, so with the
stored proof's `created` both must reproduce the stored proofValue: that is checked too."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

from badges import batches, dataintegrity, extension, multikey, ob3
from issuers.keys import load_private_key

from .processes import BASE_DIR

NODE_DIR = BASE_DIR / "interop" / "node"


def unsigned(record) -> dict:
    return {key: value for key, value in record.ob3_credential.items() if key != "proof"}


def _batch_signer_class():
    """The batch signer once badges.batches signs with it (badges.ob3_batch), else None:
    then batches signs each credential with dataintegrity.sign_eddsa_rdfc_2022."""
    return getattr(batches, "Ob3BatchSigner", None)


def _created(record) -> str:
    return record.ob3_credential["proof"]["created"]


def time_ours(records: list, repeat: int) -> dict:
    """Milliseconds per credential. Each record is signed with its own stored ``created`` (a
    batch signs each chunk at its own moment), so the output must equal the stored one."""
    key = records[0].ob3_signing_key
    signer_class = _batch_signer_class()
    if signer_class is not None:
        version = records[0].award.programme_version
        signers = {}
        for record in records:  # one signer per chunk moment, as the batch has
            if _created(record) not in signers:
                signers[_created(record)] = signer_class(version, key, created=_created(record))

        def sign_all():
            return [signers[_created(record)].sign_record(record) for record in records]

        sign_all()  # warm-up: templates per shape, checked once against the full path
        for signer in signers.values():
            signer.timings.clear()
        started = time.perf_counter()
        for _ in range(repeat):
            signed = sign_all()
        # Digital Bazaar is handed composed documents: our composing is not counted either.
        compose = sum(signer.timings["compose"] for signer in signers.values())
        seconds = time.perf_counter() - started - compose
        path = f"{signer_class.__module__}.{signer_class.__name__}"
    else:
        private_key = load_private_key(key)
        method = ob3.verification_method_id(key)
        loader = extension.document_loader()
        documents = [(unsigned(record), _created(record)) for record in records]

        def sign_all():
            return [
                dataintegrity.sign_eddsa_rdfc_2022(
                    document,
                    private_key=private_key,
                    verification_method=method,
                    created=created,
                    document_loader=loader,
                )
                for document, created in documents
            ]

        sign_all()  # warm-up: contexts, caches
        started = time.perf_counter()
        for _ in range(repeat):
            signed = sign_all()
        seconds = time.perf_counter() - started
        path = "badges.dataintegrity.sign_eddsa_rdfc_2022"
    identical = sum(
        ours == record.ob3_credential for ours, record in zip(signed, records, strict=True)
    )
    return {
        "ms": seconds * 1000 / (len(records) * repeat),
        "path": path,
        "identical_to_stored": identical,
    }


def time_theirs(records: list, repeat: int) -> dict:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        raise RuntimeError(
            "node or interop/node/node_modules missing: scripts/install-interop-node.sh"
        )
    key = records[0].ob3_signing_key
    private_key = load_private_key(key)
    payload = {
        "credentials": [unsigned(record) for record in records],
        "secretKeyMultibase": multikey.encode_secret_key_multibase(private_key),
        "publicKeyMultibase": multikey.encode_public_key_multibase(private_key.public_key()),
        "verificationMethod": ob3.verification_method_id(key),
        "created": [_created(record) for record in records],
        # The portal's own context, handed in: no HTTP while timing.
        "documents": extension.portal_documents(),
        "repeat": repeat,
        "warmup": 1,
    }
    completed = subprocess.run(  # noqa: S603 (node, our own script)
        [node, str(NODE_DIR / "bench-sign.mjs")],
        input=json.dumps(payload, ensure_ascii=False),
        capture_output=True, text=True, encoding="utf-8", cwd=NODE_DIR, timeout=1800,
        check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise RuntimeError(f"bench-sign.mjs failed: {completed.stderr[-2000:]}")
    result = json.loads(completed.stdout)
    identical = sum(
        value == record.ob3_credential["proof"]["proofValue"]
        for value, record in zip(result["proofValues"], records, strict=True)
    )
    return {"ms": result["ms_per_credential"], "identical_to_stored": identical}


def compare(records: list, repeat: int) -> dict:
    ours = time_ours(records, repeat)
    theirs = time_theirs(records, repeat)
    return {
        "credentials": len(records),
        "repeat": repeat,
        "ours_ms": round(ours["ms"], 3),
        "theirs_ms": round(theirs["ms"], 3),
        "ours_over_theirs": round(ours["ms"] / theirs["ms"], 3),
        "times_faster": round(theirs["ms"] / ours["ms"], 2),
        "ours_path": ours["path"],
        "ours_identical_to_stored": ours["identical_to_stored"],
        "theirs_identical_to_stored": theirs["identical_to_stored"],
    }
