"""crosswalk(): a programme written out as the EU Annex I and the Australian NMF elements."""

import json

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from frameworks.crosswalk import crosswalk
from frameworks.selectors import descriptors_for
from tests.frameworks.fixtures import fully_described_descriptors

pytestmark = pytest.mark.usefixtures("frameworks_loaded")


def element(result, key):
    return next(e for e in result.elements if e.key == key)


@pytest.mark.parametrize("target", ["eu", "au"])
def test_the_element_list_comes_from_the_target_frameworks_data(target, eu_framework, au_framework):
    framework = {"eu": eu_framework, "au": au_framework}[target]
    result = crosswalk(fully_described_descriptors(), target)
    assert [(e.key, e.required, e.name_en) for e in result.elements] == [
        (d.key, d.required, d.label_en) for d in descriptors_for(framework)
    ]
    assert (result.target, result.framework_slug) == (target, framework.slug)


def test_a_fully_described_programme_misses_nothing_for_the_eu_or_australia():
    for target in ("eu", "au"):
        result = crosswalk(fully_described_descriptors(), target)
        assert result.missing == []
        assert {e.status for e in result.elements} <= {"present", "at_issuing"}


def test_eu_learner_identity_date_and_grade_are_supplied_at_issuing():
    result = crosswalk(fully_described_descriptors(), "eu")
    at_issuing = [e.key for e in result.elements if e.status == "at_issuing"]
    assert at_issuing == [
        "learner_identification",
        "awarding_body",
        "date_of_issuing",
        "grade_achieved",
    ]


def test_award_values_passed_in_are_rendered_as_present():
    values = fully_described_descriptors() | {"date_of_issuing": "2026-04-01"}
    result = crosswalk(values, "eu", awarding_body={"ja": "みなと大学", "en": "Minato University"})
    assert (
        element(result, "date_of_issuing").status,
        element(result, "date_of_issuing").value,
    ) == (
        "present",
        "2026-04-01",
    )
    provider = element(result, "awarding_body")
    assert (provider.status, provider.value_ja, provider.value_en) == (
        "present",
        "みなと大学",
        "Minato University",
    )


def test_eu_notional_workload_renders_the_hours_and_the_ects_credits():
    workload = element(crosswalk(fully_described_descriptors(), "eu"), "notional_workload")
    assert workload.draws_on == ("learner_effort", "credit_recognition.ects")
    assert workload.value_en.startswith("90 hours in total (30 hours of contact time)")
    assert workload.value_en.endswith("; 3 ECTS")
    assert workload.value_ja.startswith("総学習時間 90時間（うち授業時間 30時間）")
    assert workload.value_ja.endswith("；3 ECTS")


def test_eu_supervision_and_identity_verification_comes_from_the_assessment_flags():
    supervision = element(
        crosswalk(fully_described_descriptors(), "eu"), "supervision_identity_verification"
    )
    assert supervision.value_en == (
        "Written exam: Supervised online or onsite with identity verification; "
        "Report: Unsupervised with no identity verification"
    )
    assert (
        supervision.value_ja == "筆記試験：監督あり・本人確認あり；レポート：監督なし・本人確認なし"
    )


def test_values_are_rendered_with_vocabulary_labels_and_standard_names():
    result = crosswalk(fully_described_descriptors(), "eu", lang="ja")
    assert element(result, "country_region").value == "日本 (JP)"
    assert element(result, "level").value == "レベル6（学士）；学士課程レベル"
    assert element(result, "form_of_participation").value.startswith(
        "ブレンド型（同期型、非同期型）"
    )
    australian = crosswalk(fully_described_descriptors(), "au", lang="en")
    assert element(australian, "language").value == "Japanese (ja), English (en)"
    assert element(australian, "credit").value.startswith(
        "2 Japanese university credits, 3 ECTS; Recognised as credits"
    )


def test_missing_elements_are_listed_for_each_target():
    values = fully_described_descriptors()
    for key in ("country_region", "language", "level"):
        del values[key]
    eu = crosswalk(values, "eu")
    au = crosswalk(values, "au")
    assert [e.key for e in eu.missing] == ["country_region", "level"]
    assert [e.key for e in au.missing] == ["language"]
    assert element(eu, "country_region").value == ""


def test_optional_elements_missing_are_listed_apart():
    values = fully_described_descriptors()
    del values["stackability"]
    result = crosswalk(values, "eu")
    assert result.missing == []
    assert [e.key for e in result.missing_optional] == ["stackability"]


def test_an_invalid_value_makes_its_element_invalid_and_missing():
    values = fully_described_descriptors() | {"country_region": "Japan"}
    result = crosswalk(values, "eu")
    assert element(result, "country_region").status == "invalid"
    assert [e.key for e in result.missing] == ["country_region"]


def test_the_language_follows_lang_or_the_active_language():
    values = fully_described_descriptors()
    assert element(crosswalk(values, "au", lang="en"), "title").name == "Title"
    assert element(crosswalk(values, "au", lang="ja"), "title").name == "名称"
    with translation.override("en"):
        assert crosswalk(values, "au").lang == "en"
    with translation.override("ja"):
        result = crosswalk(values, "au")
        assert (result.lang, element(result, "title").value) == (
            "ja",
            "データサイエンス基礎プログラム",
        )


def test_the_japanese_framework_itself_is_a_crosswalk_target():
    result = crosswalk(fully_described_descriptors(), "jp")
    assert len(result.elements) == 17
    assert result.missing == []


def test_an_unknown_target_is_refused():
    with pytest.raises(ValueError, match="Unknown crosswalk target 'us'"):
        crosswalk(fully_described_descriptors(), "us")


def test_the_crosswalk_serialises_to_json():
    values = fully_described_descriptors()
    del values["level"]
    data = crosswalk(values, "eu", lang="en").as_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["missing"] == ["level"]
    level = next(e for e in data["elements"] if e["key"] == "level")
    assert (level["status"], level["required"], level["name"]) == (
        "missing",
        True,
        element(crosswalk(values, "eu", lang="en"), "level").name_en,
    )


def test_the_crosswalk_table_include_renders_every_element_and_the_missing_list():
    values = fully_described_descriptors()
    del values["level"]
    result = crosswalk(values, "eu", lang="en")
    with translation.override("en"):
        html = render_to_string("frameworks/_crosswalk_table.html", {"crosswalk": result})
    assert html.count('<tr data-element="') == len(result.elements)
    assert 'class="status-missing">Missing</span>' in html
    assert "Missing for this framework:" in html
    assert "3 ECTS" in html
    assert "<br>" in html  # learning outcomes, one per line
