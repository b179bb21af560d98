"""The house's rules on imports, read from the source itself:

- apps point one way: badges → credentials → frameworks, issuers under both;
- `common` is the very bottom: shared plumbing that imports none of the apps;
- `config` is wiring: no app and not `common` imports it;
- no service or selector imports an `api` module (the API translates; it is not a library).
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
OUR_PACKAGES = {"frameworks", "issuers", "credentials", "badges", "common", "config"}
FORBIDDEN = {
    "common": {"frameworks", "issuers", "credentials", "badges", "config"},
    "frameworks": {"issuers", "credentials", "badges", "config"},
    "issuers": {"frameworks", "credentials", "badges", "config"},
    "credentials": {"badges", "config"},
    "badges": {"config"},
}


def imported_modules(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(REPO).with_suffix("").parts[:-1]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)} & OUR_PACKAGES


def python_files(package: str):
    return (path for path in (REPO / package).rglob("*.py") if "migrations" not in path.parts)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_each_package_imports_only_the_packages_below_it(package):
    offenders = {
        str(path.relative_to(REPO)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in python_files(package)
        if imported_packages(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def is_service_or_selector(path: Path) -> bool:
    parts = path.relative_to(REPO).with_suffix("").parts
    return any(part.startswith(("services", "selectors")) for part in parts)


def test_no_service_or_selector_imports_an_api_module():
    offenders = {}
    for package in ("frameworks", "issuers", "credentials", "badges", "common"):
        for path in python_files(package):
            if not is_service_or_selector(path):
                continue
            api_imports = sorted(
                name for name in imported_modules(path) if "api" in name.split(".")[1:]
            )
            if api_imports:
                offenders[str(path.relative_to(REPO))] = api_imports
    assert offenders == {}


def test_the_rules_see_the_imports_they_forbid(tmp_path):
    # The checks above pass vacuously if the parser misses imports: prove it sees both kinds.
    sample = REPO / "credentials" / "services" / "dispatch.py"
    assert is_service_or_selector(sample)
    assert "celery" in {name.split(".")[0] for name in imported_modules(sample)}
    representations = REPO / "credentials" / "representations.py"
    assert "credentials.models" in imported_modules(representations)
    finishing = REPO / "credentials" / "services" / "batches" / "finishing.py"
    assert "credentials.representations.batch_event_payload" in imported_modules(finishing)
