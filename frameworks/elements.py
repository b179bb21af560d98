"""Reading a framework element from a programme's canonical descriptor values.

An element (a Descriptor row) draws on one or more canonical keys, optionally one facet of a
value. Validation and the crosswalk both ask the same questions of each source: is the value
there, is it well-formed, does it have the facet, and how does it read in ja / en.
"""

from dataclasses import dataclass

from .value_types import Problem, value_type_for
from .vocabularies import VocabularyIndex


@dataclass(frozen=True)
class SourceReading:
    key: str
    facet: str | None
    provided: bool  # the canonical key has a value
    problems: tuple[Problem, ...]  # shape problems of that value
    text_ja: str  # the (facet of the) value as text; "" when absent
    text_en: str

    @property
    def present(self) -> bool:
        return self.provided and not self.problems and bool(self.text_ja or self.text_en)

    @property
    def label(self) -> str:
        return f"{self.key} ({self.facet})" if self.facet else self.key


def is_provided(values: dict, key: str) -> bool:
    # An explicit null means "not provided", as an absent key does (docs/descriptors.md).
    return values.get(key) is not None


def read_source(
    source: dict, values: dict, vocabularies: VocabularyIndex, problems_by_key: dict
) -> SourceReading:
    key, facet = source["key"], source.get("facet")
    if not is_provided(values, key):
        return SourceReading(key, facet, False, (), "", "")
    value_type = value_type_for(key)
    if key not in problems_by_key:
        problems_by_key[key] = tuple(value_type.check(values[key], key, vocabularies))
    problems = problems_by_key[key]
    if problems:
        return SourceReading(key, facet, True, problems, "", "")
    render = value_type.facets[facet] if facet else value_type.render
    return SourceReading(
        key,
        facet,
        True,
        (),
        render(values[key], "ja", vocabularies),
        render(values[key], "en", vocabularies),
    )


def read_element(descriptor, values: dict, vocabularies, problems_by_key: dict | None = None):
    """The readings of every source of `descriptor`, in the order the data lists them."""
    cache = {} if problems_by_key is None else problems_by_key
    return [read_source(source, values, vocabularies, cache) for source in descriptor.draws_on]
