"""Every action code the code writes to the audit trail has a Japanese and an English label.

The codes are read from the source: calls to record_audit/audit_event with `action=`, and calls
to helpers that forward their `action` parameter to them (e.g. _audit_key(..., "signing_key.
rotate", ...)), found by following the forwarding. An action that is neither a literal nor a
forwarded parameter fails the test, so a new code cannot slip past it."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from issuers.audit_labels import ACTION_LABELS, action_label, target_type_label

REPO = Path(__file__).resolve().parents[2]
APPS = ("issuers", "credentials", "badges", "frameworks", "common", "config")
WRITERS = {"record_audit": None, "audit_event": None}  # name -> position of `action`, if any


def _sources():
    for app in APPS:
        for path in (REPO / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"))


def _callee(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _action_argument(call: ast.Call, position: int | None) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "action":
            return keyword.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _forwarders(trees) -> dict[str, int]:
    """Functions that pass their own `action` parameter on to an audit writer."""
    writers = dict(WRITERS)
    changed = True
    while changed:
        changed = False
        for _path, tree in trees:
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef) or function.name in writers:
                    continue
                params = [arg.arg for arg in function.args.args]
                if "action" not in params:
                    continue
                for call in ast.walk(function):
                    if isinstance(call, ast.Call) and _callee(call) in writers:
                        argument = _action_argument(call, writers[_callee(call)])
                        if isinstance(argument, ast.Name) and argument.id == "action":
                            writers[function.name] = params.index("action")
                            changed = True
    return writers


def _calls_with_their_function(tree):
    """Each call in the module with the name of the function it is in (None at module level)."""

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from visit(child, child.name)
            else:
                if isinstance(child, ast.Call):
                    yield child, function
                yield from visit(child, function)

    yield from visit(tree, None)


def written_action_codes() -> tuple[set[str], list[str]]:
    trees = list(_sources())
    writers = _forwarders(trees)
    codes, unreadable = set(), []
    for path, tree in trees:
        for call, function in _calls_with_their_function(tree):
            if _callee(call) not in writers:
                continue
            argument = _action_argument(call, writers[_callee(call)])
            if argument is None:
                continue
            forwarded = isinstance(argument, ast.Name) and argument.id == "action"
            if forwarded and function in writers:
                continue
            literals = [
                node.value
                for node in ast.walk(argument)
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
            ]
            if not literals:
                unreadable.append(f"{path.relative_to(REPO)}:{call.lineno}")
            codes.update(literals)
    return codes, unreadable


def test_the_source_scan_finds_the_codes_written_directly_and_through_helpers():
    codes, _unreadable = written_action_codes()

    assert {"issuer.create", "award.issue", "badge.issue", "batch.cancel"} <= codes
    # Through helpers: _audit_key, _audit_external_qa, _update_issuer; in conditionals too.
    assert {"signing_key.rotate", "external_qa.remove", "issuer.update"} <= codes
    assert {"learner.create", "learner.enrol", "membership.update"} <= codes


def test_every_action_code_written_anywhere_has_a_label():
    codes, unreadable = written_action_codes()

    assert unreadable == [], "audit actions that are not literal codes"
    assert sorted(codes - set(ACTION_LABELS)) == []


@pytest.mark.parametrize("code", sorted(ACTION_LABELS))
def test_each_label_has_japanese_and_english_text(code):
    with translation.override("en"):
        english = action_label(code)
    with translation.override("ja"):
        japanese = action_label(code)

    assert english and english != code
    assert japanese != english, f"no Japanese translation for {english!r}"
    assert any("\u3040" <= char <= "\u9fff" for char in japanese)


def test_an_unknown_action_code_still_reads_as_words():
    assert action_label("award.hibernate") == "award: hibernate"
    assert action_label("learner_account.merge_duplicates") == ("learner account: merge duplicates")
    assert action_label("cleanup") == "cleanup"


def test_object_types_read_as_the_models_names_in_both_languages():
    with translation.override("ja"):
        assert target_type_label("credentials.award") == "授与"
    with translation.override("en"):
        assert target_type_label("credentials.award") == "award"
    assert target_type_label("gone.model") == "gone.model"
