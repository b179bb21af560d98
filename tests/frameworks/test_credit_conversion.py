"""credit_conversion(): a programme's learning volume in 大学設置基準 credits, UCTS and ECTS,
each figure with its basis in hours, from the credit systems' hours in the vocabulary data."""

import pytest

from frameworks.credit_conversion import convert_credits, credit_conversion
from tests.frameworks.fixtures import fully_described_descriptors


def test_university_credits_convert_to_ects_and_ucts_through_45_hours_a_credit(vocabularies):
    result = convert_credits([{"system": "jp_university", "value": 2}], None, vocabularies)
    assert (result.hours.hours.low, result.hours.hours.high) == (90, 90)
    assert result.hours.source == "credits" and result.hours.from_system == "jp_university"

    ects = result.equivalent("ects")
    assert ects.status == "converted"
    assert (ects.amount.low, ects.amount.high) == (3, 3.6)
    assert ects.basis_ja == "2単位 × 45時間 = 90時間 ÷ 25〜30時間/ECTS = 3〜3.6 ECTS"
    assert ects.basis_en == "2 credits × 45 h = 90 h ÷ 25–30 h/ECTS = 3–3.6 ECTS"

    ucts = result.equivalent("ucts")
    assert (ucts.amount.low, ucts.amount.high) == (1.9, 2.4)  # 90/48 = 1.875, 90/38 = 2.37
    assert ucts.basis_en == "2 credits × 45 h = 90 h ÷ 38–48 h/UCTS = 1.9–2.4 UCTS"
    assert ucts.definition_en == "1 UCTS = 38–48 learning hours, 13–16 class hours"

    university = result.equivalent("jp_university")
    assert university.status == "stated" and university.amount_ja == "2単位（大学設置基準）"


def test_total_hours_alone_give_the_credits_of_every_system(vocabularies):
    result = convert_credits([], 135, vocabularies)
    assert result.hours.source == "learner_effort"
    assert result.hours.basis_en == "135 h (total learning hours stated as the learner effort)"
    university = result.equivalent("jp_university")
    assert university.status == "converted"
    assert (university.amount.low, university.amount.high) == (3, 3)
    assert university.basis_ja == "135時間 ÷ 45時間/単位 = 3単位（大学設置基準）"
    assert university.amount_en == "3 Japanese university credits"
    ects = result.equivalent("ects")
    assert (ects.amount.low, ects.amount.high) == (4.5, 5.4)
    assert ects.text("en") == "ECTS (European Credit Transfer and Accumulation System): " + (
        "4.5–5.4 ECTS (135 h ÷ 25–30 h/ECTS = 4.5–5.4 ECTS)"
    )


def test_a_stated_ects_value_is_kept_as_stated_and_not_converted(vocabularies):
    result = credit_conversion(fully_described_descriptors(), vocabularies)  # 90 h, 2 単位, 3 ECTS
    ects = result.equivalent("ects")
    assert ects.status == "stated"
    assert (ects.amount.low, ects.amount.high) == (3, 3)
    assert ects.amount_en == "3 ECTS"
    assert ects.basis_en == "Stated in the programme (not converted)."
    assert ects.basis_ja == "プログラムに記載された値です（換算していません）。"
    # The system the programme does not state is converted from the stated total hours.
    ucts = result.equivalent("ucts")
    assert ucts.status == "converted"
    assert ucts.basis_ja == "90時間 ÷ 38〜48時間/UCTS = 1.9〜2.4 UCTS"


def test_hours_from_a_range_system_stay_a_range(vocabularies):
    result = convert_credits([{"system": "ucts", "value": 2}], None, vocabularies)
    assert result.hours.basis_en == "2 UCTS × 38–48 h = 76–96 h"
    university = result.equivalent("jp_university")
    assert (university.amount.low, university.amount.high) == (1.7, 2.1)  # 76/45, 96/45
    assert university.basis_en == (
        "2 UCTS × 38–48 h = 76–96 h ÷ 45 h/credit = 1.7–2.1 Japanese university credits"
    )


def test_one_credit_is_written_in_the_singular(vocabularies):
    result = convert_credits([], 45, vocabularies)
    assert result.equivalent("jp_university").amount_en == "1 Japanese university credit"
    assert result.equivalent("jp_university").basis_en.endswith("÷ 45 h/credit = 1 Japanese "
                                                                 "university credit")  # fmt: skip


def test_without_hours_or_credits_nothing_is_converted_and_it_says_why(vocabularies):
    descriptors = fully_described_descriptors()
    del descriptors["learner_effort"]
    descriptors["credit_recognition"] = {"recognition": {"ja": "なし", "en": "None"}}
    result = credit_conversion(descriptors, vocabularies)
    assert result.hours is None
    assert {e.status for e in result.equivalents} == {"not_convertible"}
    assert all(e.amount is None for e in result.equivalents)
    assert "nothing to convert from" in result.equivalents[0].basis_en


@pytest.mark.parametrize("bad_hours", [-5, "ninety", 0])
def test_invalid_hours_are_not_converted(vocabularies, bad_hours):
    descriptors = fully_described_descriptors()
    descriptors["learner_effort"]["total_hours"] = bad_hours
    descriptors["credit_recognition"]["credits"] = []
    result = credit_conversion(descriptors, vocabularies)
    assert result.hours is None


def test_the_conversion_serialises_to_plain_data(vocabularies):
    data = credit_conversion(fully_described_descriptors(), vocabularies).as_dict()
    assert data["hours"]["hours"] == {"min": 90.0, "max": 90.0}
    assert [e["system"] for e in data["equivalents"]] == ["jp_university", "ucts", "ects"]
    assert data["equivalents"][2]["hours_per_credit"] == {"min": 25.0, "max": 30.0}
