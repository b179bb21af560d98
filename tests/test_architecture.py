"""Imports point one way: badges → credentials → frameworks; issuers under both."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
OUR_APPS = {"frameworks", "issuers", "credentials", "badges"}
FORBIDDEN = {
    "frameworks": {"issuers", "credentials", "badges"},
    "issuers": {"frameworks", "credentials", "badges"},
    "credentials": {"badges"},
    "badges": set(),
}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & OUR_APPS


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_only_the_apps_below_it(app):
    offenders = {
        str(path.relative_to(REPO)): sorted(imported_apps(path) & FORBIDDEN[app])
        for path in (REPO / app).rglob("*.py")
        if imported_apps(path) & FORBIDDEN[app]
    }
    assert offenders == {}
