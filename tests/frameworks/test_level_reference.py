"""level_reference(): an indicative EQF level and QF-EHEA cycle for a JEQF level, with its
basis (the qualifications at that level in the JEQF data), never claimed as a referencing."""

import pytest

from frameworks.level_reference import level_reference


@pytest.mark.parametrize(
    ("jeqf", "eqf", "cycle"),
    [(5, 5, "short_cycle"), (6, 6, "first_cycle"), (7, 7, "second_cycle"), (8, 8, "third_cycle")],
)
def test_higher_education_levels_indicate_an_eqf_level_and_a_cycle(vocabularies, jeqf, eqf, cycle):
    reference = level_reference({"level": {"jeqf": jeqf}}, vocabularies)
    assert (reference.jeqf_level, reference.eqf_level, reference.qf_ehea_cycle) == (
        jeqf, eqf, cycle,
    )  # fmt: skip
    assert reference.status == "indicative"


def test_the_bachelor_level_states_its_basis_in_both_languages(vocabularies):
    reference = level_reference({"level": {"jeqf": 6, "description": {"ja": "学士"}}}, vocabularies)
    assert reference.value_en == "EQF level 6; QF-EHEA first cycle (indicative)"
    assert reference.value_ja == "EQF レベル6・QF-EHEA 第1サイクル（参考）"
    assert reference.basis_en.startswith("Indicative, not a formal referencing of the JEQF")
    assert "学士, 高度専門士" in reference.basis_en and "2017/C 189/03" in reference.basis_en
    assert "学士、高度専門士" in reference.basis_ja


def test_levels_below_higher_education_indicate_nothing(vocabularies):
    reference = level_reference({"level": {"jeqf": 3}}, vocabularies)
    assert (reference.status, reference.eqf_level) == ("no_indication", None)
    assert reference.value_en == ""
    assert reference.basis_en.startswith("JEQF level 3 holds no higher-education qualification")


def test_a_description_alone_indicates_nothing_and_no_level_gives_none(vocabularies):
    described = level_reference({"level": {"description": {"ja": "学士課程レベル"}}}, vocabularies)
    assert described.status == "no_indication" and described.jeqf_level is None
    assert level_reference({}, vocabularies) is None
    assert level_reference({"level": "six"}, vocabularies) is None
