"""An in-memory index of a framework's controlled vocabularies.

Validators and renderers look codes up many times per programme; building this once per call
keeps that to two queries (see selectors.vocabulary_index).
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .i18n import current_lang, pick


@dataclass(frozen=True)
class TermInfo:
    code: str
    label_ja: str
    label_en: str
    description_ja: str = ""
    description_en: str = ""
    data: dict = field(default_factory=dict)

    def label(self, lang: str | None = None) -> str:
        return pick(self.label_ja, self.label_en, lang)


class VocabularyIndex:
    """Codes, labels and data of every vocabulary of one framework, keyed by vocabulary key."""

    def __init__(self, vocabularies: dict[str, list[TermInfo]]):
        self._terms = {
            key: {term.code: term for term in terms} for key, terms in vocabularies.items()
        }

    def keys(self) -> list[str]:
        return list(self._terms)

    def codes(self, vocabulary_key: str) -> list[str]:
        return list(self._terms.get(vocabulary_key, {}))

    def terms(self, vocabulary_key: str) -> list[TermInfo]:
        return list(self._terms.get(vocabulary_key, {}).values())

    def term(self, vocabulary_key: str, code) -> TermInfo | None:
        if not isinstance(code, str):
            return None
        return self._terms.get(vocabulary_key, {}).get(code)

    def label(self, vocabulary_key: str, code, lang: str | None = None) -> str:
        """The term's label, or the code itself when the vocabulary does not know it."""
        term = self.term(vocabulary_key, code)
        return term.label(lang) if term else str(code)

    def code_for_label(self, vocabulary_key: str, value) -> str | None:
        """The code of the vocabulary term `value` names (see code_for_label())."""
        return code_for_label(self.terms(vocabulary_key), value)


def normalise_label(value) -> str:
    """What staff type, compared loosely: full-width letters and digits as half-width (NFKC),
    case ignored, surrounding and repeated spaces dropped."""
    return " ".join(unicodedata.normalize("NFKC", str(value or "")).casefold().split())


def code_for_label(terms: Iterable[TermInfo], value) -> str | None:
    """The code of the term whose Japanese label, English label or code is `value` (compared
    with normalise_label()); None when no term matches."""
    wanted = normalise_label(value)
    if not wanted:
        return None
    for term in terms:
        if wanted in {normalise_label(t) for t in (term.code, term.label_ja, term.label_en)}:
            return term.code
    return None


class LabelList:
    """The labels of some terms, joined in whichever language is active when it is turned into
    text: a message parameter rendered once in Japanese and once in English (i18n.in_both)."""

    def __init__(self, terms: Iterable[TermInfo]):
        self.terms = list(terms)

    def __str__(self) -> str:
        lang = current_lang()
        separator = ", " if lang == "en" else "、"
        return separator.join(term.label(lang) for term in self.terms) or "-"
