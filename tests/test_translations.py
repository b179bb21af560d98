"""Japanese is the default language: every catalogue entry has a translation, none is fuzzy."""

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APP_CATALOGUES = sorted(REPO.glob("*/locale/ja/LC_MESSAGES/django.po"))
CATALOGUES = [*APP_CATALOGUES, REPO / "locale/ja/LC_MESSAGES/django.po"]


def entries(catalogue: Path, flag: str) -> str:
    return subprocess.run(
        ["msgattrib", flag, "--no-obsolete", str(catalogue)],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: str(path.relative_to(REPO)))
def test_every_message_has_a_japanese_translation(catalogue):
    assert entries(catalogue, "--untranslated") == ""


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: str(path.relative_to(REPO)))
def test_no_translation_is_left_fuzzy(catalogue):
    assert entries(catalogue, "--only-fuzzy") == ""


def test_the_check_notices_an_untranslated_message(tmp_path):
    catalogue = tmp_path / "django.po"
    catalogue.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                         'msgid "Revoke"\nmsgstr ""\n', encoding="utf-8")  # fmt: skip
    assert "Revoke" in entries(catalogue, "--untranslated")
