"""A programme version written out for another framework (EU Annex I, Australia's NMF) with its
learning volume in every credit system: one read for the API, the admin download and the CSV.

    crosswalk_export(programme, target, *, version_number=None, lang=None) -> CrosswalkExport

Staff and API clients reach `programme` through their scoped selectors
(selectors.programmes_for_user), so another issuer's programme is never found here.
"""

from dataclasses import dataclass

from frameworks.credit_conversion import CreditConversion, credit_conversion
from frameworks.crosswalk import Crosswalk, crosswalk
from frameworks.i18n import current_lang
from frameworks.level_reference import LevelReference, level_reference
from frameworks.selectors import descriptors_for, get_default_framework, vocabulary_index

from .models import Programme, ProgrammeVersion

# Crosswalk targets staff and clients may export to, in the order they are offered.
EXPORT_TARGETS = ("eu", "au")
# Targets whose level element asks for an EQF level / QF-EHEA cycle (EU Annex I).
EQF_TARGETS = ("eu",)


class UnknownVersion(LookupError):
    """The programme has no version with the asked number."""

    def __init__(self, number: int, numbers: list[int]):
        super().__init__(number)
        self.number, self.numbers = number, numbers


@dataclass(frozen=True)
class CrosswalkExport:
    programme: Programme
    version: ProgrammeVersion
    crosswalk: Crosswalk
    conversion: CreditConversion
    # Canonical descriptor key -> (label_ja, label_en) in the Japanese framework, to name
    # the Japanese descriptors an element draws on.
    descriptor_labels: dict[str, tuple[str, str]]
    # The indicative EQF level / QF-EHEA cycle (EU only; None when no level is stated).
    level: LevelReference | None = None

    @property
    def lang(self) -> str:
        return self.crosswalk.lang

    def drawn_on_labels(self, element, lang: str) -> list[str]:
        """ "単位／その他の認定（ects）": the Japanese descriptors an element draws on."""
        labels = []
        for source in element.draws_on:
            key, _, facet = source.partition(".")
            ja, en = self.descriptor_labels.get(key, (key, key))
            label = ja if lang == "ja" else en
            labels.append(f"{label}（{facet}）" if facet and lang == "ja" else
                          f"{label} ({facet})" if facet else label)  # fmt: skip
        return labels

    def filename(self) -> str:
        slug = self.programme.slug
        return f"{slug}-v{self.version.number}-crosswalk-{self.crosswalk.target}.csv"


def export_version(programme: Programme, version_number: int | None) -> ProgrammeVersion:
    """The programme's latest version, or the numbered one (UnknownVersion if it has none)."""
    if version_number is None:
        version = programme.latest_version
        if version is not None:
            return version
    else:
        version = programme.versions.filter(number=version_number).first()
        if version is not None:
            return version
    numbers = sorted(programme.versions.values_list("number", flat=True))
    raise UnknownVersion(version_number or 0, numbers)


def crosswalk_export(
    programme: Programme, target: str, *, version_number: int | None = None, lang=None
) -> CrosswalkExport:
    """`target` is one of EXPORT_TARGETS (a ValueError otherwise)."""
    if target not in EXPORT_TARGETS:
        raise ValueError(f"Unknown crosswalk target {target!r}; use one of {EXPORT_TARGETS}")
    version = export_version(programme, version_number)
    framework = version.framework or get_default_framework()
    lang = current_lang(lang)
    result = crosswalk(version.descriptors, target, lang=lang, awarding_body=programme.issuer)
    vocabularies = vocabulary_index(framework)
    conversion = credit_conversion(version.descriptors, vocabularies)
    level = level_reference(version.descriptors, vocabularies) if target in EQF_TARGETS else None
    labels = {d.key: (d.label_ja, d.label_en) for d in descriptors_for(framework)}
    return CrosswalkExport(programme, version, result, conversion, labels, level)
