"""An indicative EQF level and QF-EHEA cycle for a programme's JEQF level, with its basis.

    level_reference(descriptors, vocabularies) -> LevelReference | None

EU Annex I asks for the level "(EQF, QF-EHEA), if applicable". No formal referencing or
comparison of the JEQF with the EQF is stated in the portal's sources, so the figure is an
indication and says so. Its basis, in the data: the JEQF level term names the qualifications at
that level (level 6: 学士, 高度専門士) and carries `qf_ehea_cycle` and `eqf_level` (jeqf_levels in
frameworks/data/jp-mc-1.0.json), because those qualifications are the degrees of that
Bologna cycle, and the EQF Recommendation (2017/C 189/03, Annex II) makes the QF-EHEA short,
first, second and third cycles compatible with EQF levels 5, 6, 7 and 8. JEQF levels 1–4
(no higher-education qualification) have no indication.
"""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _

from .i18n import in_language, pick
from .vocabularies import VocabularyIndex

INDICATIVE, NO_INDICATION = "indicative", "no_indication"
LANGS = ("ja", "en")

CYCLES = {
    "short_cycle": _("QF-EHEA short cycle"),
    "first_cycle": _("QF-EHEA first cycle"),
    "second_cycle": _("QF-EHEA second cycle"),
    "third_cycle": _("QF-EHEA third cycle"),
}
EQF_AND_CYCLE = _("EQF level %(eqf)s; %(cycle)s (indicative)")
BASIS = _(
    "Indicative, not a formal referencing of the JEQF to the EQF: JEQF level %(level)s holds "
    "%(qualifications)s, the qualifications of the %(cycle)s, which the EQF Recommendation "
    "(2017/C 189/03, Annex II) makes compatible with EQF level %(eqf)s."
)
NO_EQF_FOR_LEVEL = _(
    "JEQF level %(level)s holds no higher-education qualification: no EQF level or QF-EHEA "
    "cycle is indicated."
)
NO_JEQF_LEVEL = _(
    "The programme gives a level description but no JEQF level: no EQF level or QF-EHEA cycle "
    "is indicated."
)


@dataclass(frozen=True)
class LevelReference:
    jeqf_level: int | None
    eqf_level: int | None
    qf_ehea_cycle: str | None  # "short_cycle" | "first_cycle" | "second_cycle" | "third_cycle"
    status: str  # "indicative" | "no_indication"
    value_ja: str
    value_en: str
    basis_ja: str
    basis_en: str

    def value(self, lang: str) -> str:
        return pick(self.value_ja, self.value_en, lang)

    def basis(self, lang: str) -> str:
        return pick(self.basis_ja, self.basis_en, lang)

    def as_dict(self) -> dict:
        return asdict(self)


def level_reference(descriptors: dict, vocabularies: VocabularyIndex) -> LevelReference | None:
    """None when the programme states no level at all."""
    level = descriptors.get("level") if isinstance(descriptors, dict) else None
    if not isinstance(level, dict) or not (level.get("jeqf") or level.get("description")):
        return None
    term = vocabularies.term("jeqf_levels", str(level.get("jeqf", "")))
    if term is None:
        basis = {lang: in_language(lang, NO_JEQF_LEVEL) for lang in LANGS}
        return LevelReference(None, None, None, NO_INDICATION, "", "", basis["ja"], basis["en"])
    jeqf = int(term.code)
    eqf, cycle = term.data.get("eqf_level"), term.data.get("qf_ehea_cycle")
    if eqf is None or cycle not in CYCLES:
        basis = {lang: in_language(lang, NO_EQF_FOR_LEVEL, {"level": jeqf}) for lang in LANGS}
        return LevelReference(jeqf, None, None, NO_INDICATION, "", "", basis["ja"], basis["en"])
    qualifications = term.data.get("qualifications") or []
    value, basis = {}, {}
    for lang in LANGS:
        cycle_name = in_language(lang, CYCLES[cycle])
        value[lang] = in_language(lang, EQF_AND_CYCLE, {"eqf": eqf, "cycle": cycle_name})
        basis[lang] = in_language(
            lang,
            BASIS,
            {
                "level": jeqf,
                "qualifications": ("、" if lang == "ja" else ", ").join(qualifications),
                "cycle": cycle_name,
                "eqf": eqf,
            },
        )
    return LevelReference(
        jeqf, eqf, cycle, INDICATIVE, value["ja"], value["en"], basis["ja"], basis["en"]
    )
