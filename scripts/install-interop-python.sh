#!/usr/bin/env bash
# The OB 2.0 independent-validator harness: IMS Global's validator-core (PyPI `openbadges`) and
# openbadges-bakery in their own virtualenv, .interop/ob2-venv, WITHOUT `cryptography`:
# python-jose 3.2.0 prefers its cryptography backend, which rejects the pycryptodome RSA keys
# validator-core passes to it (signed badges would then never verify).
#
# Everything is pinned with hashes in interop/python/requirements.txt and installed with
# --no-deps: the file deliberately overrides some of validator-core 1.1.2's pins (pycryptodome
# 3.6.6 does not import on Python 3.11), which a resolver would refuse.
# sitecustomize.py aliases collections.Mapping & co. to collections.abc for the old packages.
#
# Idempotent: does nothing (quickly) when the venv matches the current requirements.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3.11}"
VENV="$REPO/.interop/ob2-venv"
REQUIREMENTS="$REPO/interop/python/requirements.txt"
SHIM="$REPO/interop/python/sitecustomize.py"
STAMP="$VENV/.ob2-installed"

fingerprint="$(cat "$REQUIREMENTS" "$REPO/interop/python/build-requirements.txt" "$SHIM" | sha256sum | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$fingerprint" ]; then
  echo "OB 2.0 harness up to date: $VENV"
  exit 0
fi

rm -f "$STAMP"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "error: $VENV is not a Python 3.11 venv; remove it and run again" >&2
  exit 1
fi

# Old sdists (future, PyLD, pydux, validators, language-tags) build with the venv's own
# setuptools (python3.11 -m venv provides one): no unpinned build dependencies are downloaded.
if ! "$VENV/bin/python" -c 'import setuptools' 2>/dev/null; then
  echo "error: $VENV has no setuptools to build the old sdists; recreate it with $PYTHON -m venv" >&2
  exit 1
fi
# Without build isolation the sdists build with what the venv has: setuptools (from venv) and
# wheel, which `python3.11 -m venv` does not install (pip then fails: invalid command
# 'bdist_wheel'). Installed first, pinned and hashed like the rest.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-hashes --no-deps -r "$REPO/interop/python/build-requirements.txt"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-hashes --no-deps --no-build-isolation -r "$REQUIREMENTS"

site_packages="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
cp "$SHIM" "$site_packages/sitecustomize.py"

# Smoke test: the shim loads, validator-core and the bakery import, cryptography is absent.
"$VENV/bin/python" - <<'PY'
import importlib.util
import sys

import openbadges.verifier  # noqa: F401
import openbadges_bakery  # noqa: F401
from jose.backends import RSAKey

if importlib.util.find_spec("cryptography") is not None:
    sys.exit("error: cryptography is installed in the OB 2.0 harness venv")
if RSAKey.__module__ != "jose.backends.pycrypto_backend":
    sys.exit(f"error: python-jose uses {RSAKey.__module__}, expected the pycryptodome backend")
PY

echo "$fingerprint" > "$STAMP"
echo "OB 2.0 harness installed: $VENV"
