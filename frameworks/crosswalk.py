"""A programme's descriptors written out as another framework's element list. Public API:

    crosswalk(descriptors, target="eu", *, lang=None, awarding_body=None) -> Crosswalk

`target` is a crosswalk code ("eu": EU Council Recommendation Annex I, "au": Australia's
National Microcredentials Framework, "jp": the Japanese framework itself) or a Framework. The
elements, their names, whether they are required and which canonical keys (and facets) each one
draws on all come from the target framework's data file, so a new target is a new data file.

Each element has name_ja/en, required, status, value_ja/en (readable text) and, for `lang`
(default: the active language), `name` and `value`. Status is "present", "missing", "invalid"
(a drawn-on value fails its shape check; validate_programme says why) or "at_issuing" (award
data such as the learner's identity, filled in when an award is issued; pass them in the
descriptors to render an award). `missing` lists the required elements that are not present.

Render it with {% include "frameworks/_crosswalk_table.html" with crosswalk=result %};
`as_dict()` is the JSON form.
"""

from dataclasses import asdict, dataclass

from .elements import read_element
from .i18n import current_lang, pick
from .models import Descriptor, Framework
from .selectors import descriptors_for, get_crosswalk_framework, vocabulary_index
from .validation import issuer_name

PRESENT, MISSING, INVALID, AT_ISSUING = "present", "missing", "invalid", "at_issuing"


@dataclass(frozen=True)
class CrosswalkElement:
    key: str
    name_ja: str
    name_en: str
    required: bool
    status: str  # "present" | "missing" | "invalid" | "at_issuing"
    value_ja: str
    value_en: str
    draws_on: tuple[str, ...]
    lang: str = "ja"

    @property
    def name(self) -> str:
        return pick(self.name_ja, self.name_en, self.lang)

    @property
    def value(self) -> str:
        return pick(self.value_ja, self.value_en, self.lang)

    @property
    def is_present(self) -> bool:
        return self.status == PRESENT

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "draws_on": list(self.draws_on),
            "name": self.name,
            "value": self.value,
        }


@dataclass(frozen=True)
class Crosswalk:
    target: str
    framework_slug: str
    framework_version: str
    framework_name_ja: str
    framework_name_en: str
    elements: tuple[CrosswalkElement, ...]
    lang: str = "ja"

    @property
    def framework_name(self) -> str:
        return pick(self.framework_name_ja, self.framework_name_en, self.lang)

    @property
    def missing(self) -> list[CrosswalkElement]:
        """Required elements the programme does not (validly) provide."""
        return [e for e in self.elements if e.required and e.status in (MISSING, INVALID)]

    @property
    def missing_optional(self) -> list[CrosswalkElement]:
        return [e for e in self.elements if not e.required and e.status in (MISSING, INVALID)]

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "framework": {
                "slug": self.framework_slug,
                "version": self.framework_version,
                "name_ja": self.framework_name_ja,
                "name_en": self.framework_name_en,
            },
            "lang": self.lang,
            "elements": [element.as_dict() for element in self.elements],
            "missing": [element.key for element in self.missing],
            "missing_optional": [element.key for element in self.missing_optional],
        }


def _element(descriptor: Descriptor, status: str, value_ja: str, value_en: str, lang: str):
    return CrosswalkElement(
        key=descriptor.key,
        name_ja=descriptor.label_ja,
        name_en=descriptor.label_en,
        required=descriptor.required,
        status=status,
        value_ja=value_ja,
        value_en=value_en,
        draws_on=tuple(
            f"{s['key']}.{s['facet']}" if s.get("facet") else s["key"] for s in descriptor.draws_on
        ),
        lang=lang,
    )


def _render(descriptor, values, vocabularies, awarding_body, lang, cache) -> CrosswalkElement:
    if descriptor.source == Descriptor.Source.ISSUER and awarding_body is not None:
        name_ja, name_en = issuer_name(awarding_body)
        return _element(descriptor, PRESENT if name_ja else MISSING, name_ja, name_en, lang)
    readings = read_element(descriptor, values, vocabularies, cache)
    if any(reading.problems for reading in readings):
        return _element(descriptor, INVALID, "", "", lang)
    present = [reading for reading in readings if reading.present]
    if not present:
        supplied_later = descriptor.source != Descriptor.Source.PROGRAMME
        return _element(descriptor, AT_ISSUING if supplied_later else MISSING, "", "", lang)
    value_ja = "；".join(reading.text_ja for reading in present if reading.text_ja)
    value_en = "; ".join(reading.text_en for reading in present if reading.text_en)
    return _element(descriptor, PRESENT, value_ja, value_en, lang)


def crosswalk(
    descriptors: dict,
    target: str | Framework = "eu",
    *,
    lang: str | None = None,
    awarding_body=None,
) -> Crosswalk:
    framework = target if isinstance(target, Framework) else get_crosswalk_framework(target)
    lang = current_lang(lang)
    vocabularies = vocabulary_index(framework)
    values = descriptors if isinstance(descriptors, dict) else {}
    cache: dict = {}
    elements = tuple(
        _render(descriptor, values, vocabularies, awarding_body, lang, cache)
        for descriptor in descriptors_for(framework)
    )
    return Crosswalk(
        target=framework.crosswalk_code or framework.slug,
        framework_slug=framework.slug,
        framework_version=framework.version,
        framework_name_ja=framework.name_ja,
        framework_name_en=framework.name_en,
        elements=elements,
        lang=lang,
    )
