"""A sample of the issued credentials, written to a folder and checked by the independent
verifiers (not by our code): Digital Bazaar's verifier (interop/node/verify.mjs: contexts from
npm, did:web, extension context and status list fetched from the portal on loopback), IMS
Global's validator-core (interop/python/validate_ob2.py: the OB 2.0 JWS and both baked OB 2.0
images, which it unbakes with openbadges-bakery, against the learner's e-mail) and
openbadges-bakery's parsers on the baked OB 3.0 images (interop/python/unbake.py --inspect).
The images are baked by badges.baked, as the public download makes them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from badges import baked, baking

from .processes import BASE_DIR
from .signing import NODE_DIR

OB2_PYTHON = BASE_DIR / ".interop" / "ob2-venv" / "bin" / "python"
RUNNERS = BASE_DIR / "interop" / "python"
CHECKS = ("ob3_digitalbazaar", "ob2_jws", "ob2_png", "ob2_svg", "ob3_png", "ob3_svg")


def write_sample(records: list, folder: Path) -> list[dict]:
    """One directory per award: ob3.json, ob2.jws, ob2-assertion.json, the four images;
    manifest.json lists them with the learner's e-mail (the validator's recipient)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    entries = []
    for number, record in enumerate(records, start=1):
        directory = folder / f"{number:03d}-{record.award.public_id}"
        directory.mkdir()
        (directory / "ob3.json").write_text(
            json.dumps(record.ob3_credential, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        (directory / "ob2.jws").write_text(record.ob2_jws, encoding="ascii")
        (directory / "ob2-assertion.json").write_text(
            json.dumps(record.ob2_assertion, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        for variant in baked.VARIANTS:
            (directory / variant).write_bytes(baked.bake_variant(record, variant))
        entries.append({"directory": directory.name, "email": record.award.learner.email})
    (folder / "manifest.json").write_text(json.dumps(entries, indent=1), encoding="utf-8")
    return entries


def _ob2_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(PYTHONIOENCODING="utf-8", LANG="C.UTF-8", PYTHONDONTWRITEBYTECODE="1")
    return env


def _validator(arguments: list[str], email: str) -> str | None:
    """None when validator-core finds the badge valid, else the reason."""
    completed = subprocess.run(  # noqa: S603 (the harness venv's python, our runner)
        [str(OB2_PYTHON), str(RUNNERS / "validate_ob2.py"), *arguments,
         "--recipient", json.dumps({"email": email})],
        capture_output=True, text=True, encoding="utf-8", timeout=180, env=_ob2_env(),
        check=False,
    )  # fmt: skip
    try:
        report = json.loads(completed.stdout)["report"]
    except (ValueError, KeyError):
        return f"validate_ob2.py exit {completed.returncode}: {completed.stderr[-500:]}"
    if completed.returncode == 0 and report.get("valid"):
        return None
    errors = [m.get("result", "") for m in report.get("messages", [])
              if m.get("messageLevel") == "ERROR"]  # fmt: skip
    return f"validator-core: {errors[:3]}"


def _bakery_payload(path: Path) -> str | None:
    """The OB 3.0 credential as openbadges-bakery's parsers find it in a baked image."""
    completed = subprocess.run(  # noqa: S603 (the harness venv's python, our runner)
        [str(OB2_PYTHON), str(RUNNERS / "unbake.py"), "--inspect", str(path)],
        capture_output=True, text=True, encoding="utf-8", timeout=60, env=_ob2_env(),
        check=False,
    )  # fmt: skip
    if completed.returncode not in (0, 1):
        return None
    structure = json.loads(completed.stdout).get("structure", [])
    if path.suffix == ".png":
        texts = [c.get("text") for c in structure if c.get("keyword") == baking.OB3_PNG_KEYWORD]
    else:
        texts = [e.get("body") for e in structure if e.get("tagName") == "openbadges:credential"]
    return texts[0] if len(texts) == 1 else None


def _check_award(folder: Path, entry: dict) -> dict[str, str | None]:
    directory = folder / entry["directory"]
    email = entry["email"]
    problems: dict[str, str | None] = {
        "ob2_jws": _validator([(directory / "ob2.jws").read_text(encoding="ascii")], email),
        "ob2_png": _validator(["--file", str(directory / "ob2.png")], email),
        "ob2_svg": _validator(["--file", str(directory / "ob2.svg")], email),
    }
    credential = json.loads((directory / "ob3.json").read_text(encoding="utf-8"))
    for name in ("ob3_png", "ob3_svg"):
        payload = _bakery_payload(directory / name.replace("_", "."))
        same = payload is not None and json.loads(payload) == credential
        problems[name] = None if same else "openbadges-bakery: no or another credential"
    return problems


def _digital_bazaar(folder: Path, entries: list[dict]) -> list[str | None]:
    credentials = [
        json.loads((folder / e["directory"] / "ob3.json").read_text(encoding="utf-8"))
        for e in entries
    ]
    completed = subprocess.run(  # noqa: S603 (node, our own script)
        [shutil.which("node") or "node", str(NODE_DIR / "verify.mjs")],
        input=json.dumps({"credentials": credentials}, ensure_ascii=False),
        capture_output=True, text=True, encoding="utf-8", cwd=NODE_DIR, timeout=600,
        env={**os.environ, "NODE_NO_WARNINGS": "1"}, check=False,
    )  # fmt: skip
    try:
        results = json.loads(completed.stdout)["results"]
    except (ValueError, KeyError):
        return [f"verify.mjs: {completed.stderr[-500:]}"] * len(entries)
    return [None if r["verified"] else f"Digital Bazaar: {r['errors'][:3]}" for r in results]


def verify_sample(folder: Path, entries: list[dict], parallel: int = 4) -> dict:
    """Counts of awards whose every check passed, per check, and the first failure."""
    if not OB2_PYTHON.exists():
        raise RuntimeError("OB 2.0 harness missing: bash scripts/install-interop-python.sh")
    dazzle = _digital_bazaar(folder, entries)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        others = list(pool.map(lambda entry: _check_award(folder, entry), entries))
    per_check = {name: {"verified": 0, "failed": 0} for name in CHECKS}
    verified, first_failure = 0, None
    for entry, problem, rest in zip(entries, dazzle, others, strict=True):
        problems = {"ob3_digitalbazaar": problem, **rest}
        for name, reason in problems.items():
            per_check[name]["failed" if reason else "verified"] += 1
            if reason and first_failure is None:
                first_failure = f"{entry['directory']} {name}: {reason}"
        verified += not any(problems.values())
    return {
        "sampled": len(entries),
        "verified": verified,
        "failed": len(entries) - verified,
        "checks": per_check,
        "first_failure": first_failure,
    }
