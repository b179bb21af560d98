"""Other frameworks are just data files: the EU Annex I and Australia's NMF, and any new one."""

import json

import pytest

from frameworks.selectors import descriptors_for, get_framework, vocabulary_terms
from frameworks.services import load_framework_file
from frameworks.validation import validate_programme
from tests.frameworks.fixtures import fully_described_descriptors

EU_MANDATORY = [
    "learner_identification",
    "title",
    "country_region",
    "awarding_body",
    "date_of_issuing",
    "learning_outcomes",
    "notional_workload",
    "level",
    "type_of_assessment",
    "form_of_participation",
    "quality_assurance",
]
EU_OPTIONAL = [
    "prerequisites",
    "supervision_identity_verification",
    "grade_achieved",
    "stackability",
    "further_information",
]


def test_the_eu_annex_lists_eleven_mandatory_and_five_optional_elements(eu_framework):
    elements = list(descriptors_for(eu_framework))
    assert [d.key for d in elements if d.required] == EU_MANDATORY
    assert [d.key for d in elements if not d.required] == EU_OPTIONAL
    assert {d.group.code for d in elements if d.required} == {"mandatory"}


def test_eu_notional_workload_draws_on_learner_effort_and_ects_credits(eu_framework):
    element = eu_framework.descriptors.get(key="notional_workload")
    assert element.draws_on == [
        {"key": "learner_effort"},
        {"key": "credit_recognition", "facet": "ects"},
    ]
    supervision = eu_framework.descriptors.get(key="supervision_identity_verification")
    assert supervision.draws_on == [{"key": "type_of_assessment", "facet": "supervision"}]


def test_the_australian_framework_requires_what_the_japanese_table_says(au_framework):
    elements = list(descriptors_for(au_framework))
    assert len([d for d in elements if d.required]) == 12
    assert [d.key for d in elements if not d.required] == ["stackability"]
    assert au_framework.rules["min_learner_effort_hours"] == 1


def test_the_other_frameworks_share_the_japanese_vocabularies(jp_framework, eu_framework):
    assert eu_framework.vocabularies_from == jp_framework
    assert not eu_framework.vocabularies.exists()
    assert vocabulary_terms(eu_framework, "credit_systems").count() == 3


def strongest_requirement(framework, canonical_key) -> str:
    """ "required" if a required element draws on the key, "optional" if only optional ones."""
    drawing = [d for d in descriptors_for(framework) if canonical_key in d.source_keys]
    if any(d.required for d in drawing):
        return "required"
    return "optional" if drawing else ""


@pytest.mark.parametrize("column", ["eu", "au"])
def test_the_eu_and_au_files_agree_with_the_japanese_comparison_table(jp_framework, column):
    target = get_framework({"eu": "eu-mc", "au": "au-nmf"}[column])
    for descriptor in descriptors_for(jp_framework):
        flag = descriptor.comparison_flag(column)
        strongest = strongest_requirement(target, descriptor.key)
        if flag == "required":
            assert strongest == "required", descriptor.key
        elif flag == "optional":
            assert strongest == "optional", descriptor.key
        else:
            assert strongest != "required", descriptor.key


def test_a_fully_described_programme_is_valid_under_the_eu_and_au_frameworks(
    eu_framework, au_framework
):
    for framework in (eu_framework, au_framework):
        report = validate_programme(fully_described_descriptors(), framework)
        assert (report.framework_slug, report.is_valid, report.completeness) == (
            framework.slug,
            True,
            100,
        )


def test_the_country_is_optional_in_japan_but_mandatory_in_the_eu(jp_framework, eu_framework):
    values = fully_described_descriptors()
    del values["country_region"]
    assert validate_programme(values, jp_framework).is_valid
    report = validate_programme(values, eu_framework)
    assert report.result("country_region").status == "missing"
    assert not report.is_valid


def test_eu_notional_workload_is_ok_from_the_hours_and_notes_the_missing_ects(eu_framework):
    values = fully_described_descriptors()
    values["credit_recognition"]["credits"] = [{"system": "jp_university", "value": 2}]
    result = validate_programme(values, eu_framework).result("notional_workload")
    assert result.status == "ok"
    assert result.reason_en == "Not provided: credit_recognition (ects)."


def test_eu_notional_workload_without_hours_or_ects_names_both_sources(eu_framework):
    values = fully_described_descriptors()
    del values["learner_effort"]
    values["credit_recognition"] = {"recognition": {"ja": "修了認定"}}
    result = validate_programme(values, eu_framework).result("notional_workload")
    assert result.status == "missing"
    assert result.reason_en == (
        "Required, but none of its sources is provided: learner_effort, credit_recognition (ects)."
    )


def test_language_is_required_by_the_australian_framework_only(jp_framework, au_framework):
    values = fully_described_descriptors()
    del values["language"]
    assert validate_programme(values, jp_framework).is_valid
    assert validate_programme(values, au_framework).result("language").status == "missing"


def test_the_australian_one_hour_minimum_comes_from_its_data(au_framework, jp_framework):
    values = fully_described_descriptors()
    values["learner_effort"] = {"total_hours": 0.5}
    values["certification"] = {"types": ["digital_badge"]}
    values["credit_recognition"] = {"recognition": {"en": "Industry recognition"}}
    au_rules = validate_programme(values, au_framework).rules
    assert [(r.code, r.message_en) for r in au_rules] == [
        ("min_learning_volume", "Learner effort is 0.5 hours, below the guideline of about 1 hour.")
    ]
    jp_rule = validate_programme(values, jp_framework).rules[-1]
    assert jp_rule.message_en == (
        "Learner effort is 0.5 hours, below the guideline of about 10 hours."
    )


def test_rules_a_framework_does_not_name_are_not_applied(eu_framework):
    values = fully_described_descriptors()
    values["learner_effort"] = {"total_hours": 20}
    values["quality_assurance"] = {"internal": {"standard": {"en": "QA policy"}}}
    report = validate_programme(values, eu_framework)
    assert report.rules == ()  # no 60-hour 履修証明 rule and no QA URI rule in the EU data
    assert report.is_valid


def test_participation_only_is_not_a_micro_credential_under_the_eu_either(eu_framework):
    values = fully_described_descriptors()
    values["type_of_assessment"] = {
        "methods": [{"type": "participation", "supervised": False, "identity_verified": False}]
    }
    report = validate_programme(values, eu_framework)
    assert [r.code for r in report.rules] == ["assessment_required"]
    assert not report.is_micro_credential


def test_another_national_framework_is_added_with_nothing_but_a_data_file(
    frameworks_loaded, tmp_path
):
    # A made-up framework: three elements over canonical keys, its own rules, shared vocabularies.
    data = {
        "format": 1,
        "slug": "xx-mc",
        "version": "0.1",
        "name": {"ja": "架空のフレームワーク", "en": "A made-up framework"},
        "vocabularies_from": {"slug": "jp-mc", "version": "1.0"},
        "rules": {"assessment_required": True, "min_learner_effort_hours": 30},
        "groups": [{"code": "all", "label": {"ja": "全要素", "en": "All elements"}}],
        "descriptors": [
            {
                "number": 1,
                "key": "name",
                "group": "all",
                "label": {"ja": "名称", "en": "Name"},
                "required": True,
                "source": "programme",
                "draws_on": [{"key": "title"}],
            },
            {
                "number": 2,
                "key": "hours",
                "group": "all",
                "label": {"ja": "時間", "en": "Hours"},
                "required": True,
                "source": "programme",
                "draws_on": [{"key": "learner_effort", "facet": "total_hours"}],
            },
            {
                "number": 3,
                "key": "level",
                "group": "all",
                "label": {"ja": "レベル", "en": "Level"},
                "required": True,
                "source": "programme",
            },
        ],
    }
    path = tmp_path / "xx-mc-0.1.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    framework = load_framework_file(path).framework

    values = fully_described_descriptors()
    del values["level"]
    report = validate_programme(values, framework)

    assert [(r.key, r.status) for r in report.results] == [
        ("name", "ok"),
        ("hours", "ok"),
        ("level", "missing"),
    ]
    assert report.completeness == 66
    assert report.rules == ()  # 90 hours meets the framework's own 30-hour minimum
    values["learner_effort"] = {"total_hours": 20}
    [rule] = validate_programme(values, framework).rules
    assert rule.message_en == "Learner effort is 20 hours, below the guideline of about 30 hours."
