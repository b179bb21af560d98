"""The Japanese framework 1.0 as loaded from frameworks/data/jp-mc-1.0.json."""

import pytest

from frameworks.selectors import descriptors_for, vocabulary_terms
from frameworks.value_types import CANONICAL_KEYS

REFERENCE_KEYS = [
    "learner_identification",
    "date_of_issuing",
    "title",
    "awarding_body",
    "country_region",
    "content",
    "learning_outcomes",
    "form_of_participation",
    "language",
    "learner_effort",
    "type_of_assessment",
    "quality_assurance",
    "level",
    "certification",
    "credit_recognition",
    "prerequisites",
    "stackability",
]
REQUIRED_IN_JAPAN = {
    "learner_identification",
    "date_of_issuing",
    "title",
    "awarding_body",
    "content",
    "learning_outcomes",
    "form_of_participation",
    "learner_effort",
    "type_of_assessment",
    "quality_assurance",
    "credit_recognition",
}


def test_the_japanese_framework_is_the_default_and_has_the_17_common_descriptors_in_order(
    jp_framework,
):
    assert (jp_framework.slug, jp_framework.version) == ("jp-mc", "1.0")
    assert jp_framework.is_default
    assert [d.key for d in descriptors_for(jp_framework)] == REFERENCE_KEYS
    assert [d.number for d in descriptors_for(jp_framework)] == list(range(1, 18))


def test_exactly_the_eleven_descriptors_required_in_japan_are_required(jp_framework):
    required = {d.key for d in descriptors_for(jp_framework) if d.required}
    assert len(required) == 11
    assert required == REQUIRED_IN_JAPAN


def test_descriptor_labels_are_the_frameworks_japanese_and_english_names(jp_framework):
    labels = {d.key: (d.label_ja, d.label_en) for d in descriptors_for(jp_framework)}
    assert labels["learner_effort"] == (
        "学習量（総学習時間）",
        "Learner effort (total learning hours)",
    )
    assert labels["credit_recognition"][0] == "単位／その他の認定"
    assert labels["prerequisites"][0] == "（受講）前提条件"
    assert all(ja and en for ja, en in labels.values())


def test_only_identity_date_and_awarding_body_are_not_entered_on_a_programme(jp_framework):
    sources = {d.key: d.source for d in descriptors_for(jp_framework)}
    assert sources.pop("learner_identification") == "award"
    assert sources.pop("date_of_issuing") == "award"
    assert sources.pop("awarding_body") == "issuer"
    assert set(sources.values()) == {"programme"}
    assert len(sources) == 14


def test_each_japanese_descriptor_reads_its_own_canonical_key_with_its_value_type(jp_framework):
    for descriptor in descriptors_for(jp_framework):
        assert descriptor.draws_on == [{"key": descriptor.key}]
        assert descriptor.value_type == CANONICAL_KEYS[descriptor.key]


@pytest.mark.parametrize(
    ("key", "column", "flag"),
    [
        ("learner_identification", "eu", "required"),
        ("learner_identification", "au", ""),
        ("country_region", "eu", "required"),
        ("country_region", "my", ""),
        ("content", "eu", ""),
        ("content", "rirekishomei", "present"),
        ("learning_outcomes", "rirekishomei", ""),
        ("language", "au", "required"),
        ("level", "eu", "required"),
        ("level", "au", ""),
        ("certification", "au", "required"),
        ("prerequisites", "eu", "optional"),
        ("prerequisites", "au", "required"),
        ("stackability", "au", "optional"),
        ("stackability", "my", ""),
    ],
)
def test_comparison_flags_follow_the_frameworks_comparison_table(jp_framework, key, column, flag):
    assert jp_framework.descriptors.get(key=key).comparison_flag(column) == flag


def test_the_comparison_table_has_the_eu_australia_malaysia_and_rirekishomei_columns(
    jp_framework,
):
    columns = [(c["code"], c["label_ja"]) for c in jp_framework.comparison_columns]
    assert columns == [
        ("eu", "EU"),
        ("au", "オーストラリア"),
        ("my", "マレーシア"),
        ("rirekishomei", "履修証明"),
    ]


def test_descriptors_are_grouped_and_every_group_is_used(jp_framework):
    groups = list(jp_framework.groups.order_by("order"))
    used = {d.group_id for d in descriptors_for(jp_framework)}
    assert [g.order for g in groups] == list(range(1, len(groups) + 1))
    assert used == {g.pk for g in groups}


def test_the_mc_level_rules_are_data_of_the_framework(jp_framework):
    assert jp_framework.rules == {
        "assessment_required": True,
        "min_learner_effort_hours": 10,
        "min_credits": 1,
        "rirekishomei_min_hours": 60,
        "internal_qa_uri_required": True,
        "credit_hours_consistent": True,
    }


def codes(framework, vocabulary):
    return list(vocabulary_terms(framework, vocabulary).values_list("code", flat=True))


def test_forms_of_participation_are_modes_and_synchronicity(jp_framework):
    assert codes(jp_framework, "participation_modes") == ["face_to_face", "online", "blended"]
    assert codes(jp_framework, "synchronicity") == ["synchronous", "asynchronous"]


def test_participation_is_the_only_assessment_type_that_does_not_count_as_assessment(
    jp_framework,
):
    terms = vocabulary_terms(jp_framework, "assessment_types")
    assert [t.code for t in terms] == [
        "written_exam",
        "report",
        "practical",
        "project",
        "portfolio",
        "oral",
        "recognition_of_prior_learning",
        "participation",
    ]
    not_counting = [t.code for t in terms if not t.data["counts_as_assessment"]]
    assert not_counting == ["participation"]


def test_supervision_levels_cover_every_combination_of_the_two_flags(jp_framework):
    flags = {
        (t.data["supervised"], t.data["identity_verified"])
        for t in vocabulary_terms(jp_framework, "supervision_levels")
    }
    assert flags == {(False, False), (False, True), (True, False), (True, True)}


def test_quality_assurance_types_are_internal_and_four_external_kinds(jp_framework):
    scopes = {
        t.code: t.data["scope"] for t in vocabulary_terms(jp_framework, "quality_assurance_types")
    }
    assert scopes.pop("internal") == "internal"
    assert scopes == {
        "accreditation": "external",
        "certification": "external",
        "third_party_evaluation": "external",
        "endorsement": "external",
    }


@pytest.mark.parametrize(
    ("system", "hours"),
    [("jp_university", (45, 45)), ("ucts", (38, 48)), ("ects", (25, 30))],
)
def test_credit_systems_store_their_learning_hours_per_credit(jp_framework, system, hours):
    data = vocabulary_terms(jp_framework, "credit_systems").get(code=system).data
    assert (data["hours_per_credit_min"], data["hours_per_credit_max"]) == hours


def test_ucts_also_stores_its_class_hours_per_credit(jp_framework):
    data = vocabulary_terms(jp_framework, "credit_systems").get(code="ucts").data
    assert (data["class_hours_per_credit_min"], data["class_hours_per_credit_max"]) == (13, 16)


def test_certification_types_and_stacking_patterns(jp_framework):
    assert codes(jp_framework, "certification_types") == [
        "digital_badge",
        "rirekishomei_certificate",
        "certificate_of_completion",
    ]
    assert codes(jp_framework, "stacking_patterns") == [
        "embedded",
        "recognition_of_prior_learning",
        "modular",
        "tiered",
    ]


def test_jeqf_has_eight_levels_with_labels_and_meanings(jp_framework):
    levels = list(vocabulary_terms(jp_framework, "jeqf_levels"))
    assert [t.data["level"] for t in levels] == list(range(1, 9))
    assert all(t.label_ja and t.label_en and t.description_ja for t in levels)
    by_level = {t.data["level"]: t for t in levels}
    assert by_level[5].data["qualifications"] == ["短期大学士", "準学士", "専門士"]
    assert by_level[6].data["qualifications"] == ["学士", "高度専門士"]
    assert by_level[7].data["qualifications"] == ["修士", "専門職学位"]
    assert by_level[8].data["qualifications"] == ["博士"]
