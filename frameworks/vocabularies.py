"""An in-memory index of a framework's controlled vocabularies.

Validators and renderers look codes up many times per programme; building this once per call
keeps that to two queries (see selectors.vocabulary_index).
"""

from dataclasses import dataclass, field

from .i18n import pick


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
