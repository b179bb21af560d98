"""Criteria narratives shared by the Open Badges 2.0 and 3.0 composers. Public API:

    criteria_narrative(version) -> {"ja": str, "en": str}
    bilingual(text_ja, text_en) -> str

The Joint WG guideline asks a badge's criteria to state, readably, what the learner achieved and
how that was established: learning outcomes, form of participation, learner effort, assessment,
quality assurance and credit/recognition. The text is rendered from the programme's descriptors
through the Japanese framework's crosswalk, so its labels and vocabulary wording are the
framework's own, not ours. Output is Markdown (both OB versions allow it in criteria narratives).
"""

from django.utils.translation import gettext_lazy as _

from credentials.models import localised
from frameworks.crosswalk import crosswalk
from frameworks.i18n import in_language

# The guideline's order; each key is a Japanese framework descriptor key.
NARRATIVE_KEYS = (
    "learning_outcomes",
    "form_of_participation",
    "learner_effort",
    "type_of_assessment",
    "quality_assurance",
    "credit_recognition",
)

_HEADING = _("Criteria for earning this micro-credential")
_INTRO = _(
    "This badge is awarded to learners who complete the programme below and pass its assessment."
)


def _outcome_lines(descriptors: dict, lang: str) -> list[str]:
    # Outcomes are a list; one bullet each reads better than the crosswalk's joined sentence.
    outcomes = descriptors.get("learning_outcomes") or []
    texts = [localised(item, lang) for item in outcomes if isinstance(item, dict | str)]
    return [f"- {text}" for text in texts if text]


def _narrative(version, lang: str) -> str:
    descriptors = version.descriptors if isinstance(version.descriptors, dict) else {}
    rendered = crosswalk(descriptors, "jp", lang=lang, awarding_body=version.programme.issuer)
    elements = {element.key: element for element in rendered.elements}
    parts = [f"## {in_language(lang, _HEADING)}", in_language(lang, _INTRO)]
    own_criteria = version.criteria_en if lang == "en" else version.criteria_ja
    if own_criteria.strip():
        parts.append(own_criteria.strip())
    for key in NARRATIVE_KEYS:
        element = elements.get(key)
        if element is None or not element.is_present:
            continue
        parts.append(f"### {element.name}")
        lines = _outcome_lines(descriptors, lang) if key == "learning_outcomes" else []
        parts.append("\n".join(lines) if lines else element.value)
    return "\n\n".join(parts)


def criteria_narrative(version) -> dict:
    """The criteria of a programme version, written out in Japanese and English (Markdown)."""
    return {"ja": _narrative(version, "ja"), "en": _narrative(version, "en")}


def bilingual(text_ja: str, text_en: str) -> str:
    """One field holding both languages, Japanese first, for formats with a single string."""
    text_ja, text_en = (text_ja or "").strip(), (text_en or "").strip()
    if not text_en or text_en == text_ja:
        return text_ja or text_en
    if not text_ja:
        return text_en
    return f"{text_ja}\n\n---\n\n{text_en}"
