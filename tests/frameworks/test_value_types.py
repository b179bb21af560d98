"""Every value type of docs/descriptors.md: valid values pass, invalid ones say precisely why."""

import pytest

from frameworks.value_types import CANONICAL_KEYS, VALUE_TYPES, value_type_for
from tests.frameworks.fixtures import PROGRAMME_LEVEL_KEYS, fully_described_descriptors

AWARD_VALUES = {
    "learner_identification": "sha256$6f1ed002ab5595859014ebf0951522d9",
    "date_of_issuing": "2026-04-01",
    "awarding_body": {"ja": "みなと大学", "en": "Minato University"},
}


def test_every_canonical_key_has_a_registered_value_type():
    assert set(CANONICAL_KEYS.values()) <= set(VALUE_TYPES)
    assert set(CANONICAL_KEYS) == set(PROGRAMME_LEVEL_KEYS) | set(AWARD_VALUES)


@pytest.mark.parametrize("key", PROGRAMME_LEVEL_KEYS)
def test_the_fully_described_programme_has_a_valid_value_for_every_programme_key(check, key):
    assert check(key, fully_described_descriptors()[key]) == []


@pytest.mark.parametrize("key", sorted(AWARD_VALUES))
def test_values_supplied_at_issuing_have_shapes_too(check, key):
    assert check(key, AWARD_VALUES[key]) == []


# Localised text (title, content, prerequisites, awarding_body)


@pytest.mark.parametrize("value", [{"ja": "データサイエンス"}, {"en": "Data science"}])
def test_localised_text_needs_only_one_language(check, value):
    assert check("title", value) == []


@pytest.mark.parametrize(
    ("value", "reasons"),
    [
        ("データサイエンス", ["title: must be an object with named fields"]),
        ({"ja": " ", "en": ""}, ["title: text is empty"]),
        ({}, ["title: text is empty"]),
        ({"ja": 3}, ["title.ja: must be text", "title: text is empty"]),
        ({"ja": "題", "fr": "Titre"}, ["title: unexpected language “fr” (use ja and en)"]),
    ],
)
def test_localised_text_problems(check, value, reasons):
    assert check("title", value) == reasons


def test_learning_outcomes_name_the_empty_item_by_its_index(check):
    outcomes = fully_described_descriptors()["learning_outcomes"] + [{"ja": "", "en": ""}]
    assert check("learning_outcomes", outcomes) == ["learning_outcomes[3]: text is empty"]
    assert check("learning_outcomes", outcomes, "ja") == ["learning_outcomes[3]: テキストが空です"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ([], "learning_outcomes: must not be empty"),
        ({"ja": "x"}, "learning_outcomes: must be a list"),
    ],
)
def test_learning_outcomes_are_a_non_empty_list(check, value, reason):
    assert check("learning_outcomes", value) == [reason]


# Form of participation


def test_form_of_participation_with_one_mode_is_valid(check):
    assert (
        check("form_of_participation", {"modes": ["online"], "synchronicity": ["asynchronous"]})
        == []
    )


@pytest.mark.parametrize(
    ("value", "reasons"),
    [
        (
            {"modes": ["hybrid"], "synchronicity": ["synchronous"]},
            [
                "form_of_participation.modes[0]: unknown code “hybrid” "
                "(allowed: face_to_face, online, blended)"
            ],
        ),
        (
            {"modes": ["online", "online"], "synchronicity": ["synchronous"]},
            ["form_of_participation.modes[1]: “online” is listed twice"],
        ),
        ({"modes": ["online"]}, ["form_of_participation.synchronicity: is required"]),
        (
            {"modes": [], "synchronicity": [], "mode": "x"},
            [
                "form_of_participation: unexpected field “mode”",
                "form_of_participation.modes: must not be empty",
                "form_of_participation.synchronicity: must not be empty",
            ],
        ),
    ],
)
def test_form_of_participation_problems(check, value, reasons):
    assert check("form_of_participation", value) == reasons


# Learner effort


@pytest.mark.parametrize("value", [{"total_hours": 12.5}, {"total_hours": 10, "contact_hours": 0}])
def test_learner_effort_needs_positive_total_hours_and_optional_contact_hours(check, value):
    assert check("learner_effort", value) == []


@pytest.mark.parametrize(
    ("value", "reasons"),
    [
        ({}, ["learner_effort.total_hours: is required"]),
        ({"total_hours": 0}, ["learner_effort.total_hours: must be a number greater than 0"]),
        ({"total_hours": "90"}, ["learner_effort.total_hours: must be a number greater than 0"]),
        ({"total_hours": True}, ["learner_effort.total_hours: must be a number greater than 0"]),
        (
            {"total_hours": 10, "contact_hours": -1},
            ["learner_effort.contact_hours: must be a number of 0 or more"],
        ),
        (
            {"total_hours": 10, "contact_hours": 12},
            ["learner_effort.contact_hours: must not exceed total_hours (10)"],
        ),
    ],
)
def test_learner_effort_problems(check, value, reasons):
    assert check("learner_effort", value) == reasons


# Type of assessment


def test_an_assessment_method_needs_its_type_and_both_flags(check):
    value = {"methods": [{"type": "oral", "supervised": "yes"}]}
    assert check("type_of_assessment", value) == [
        "type_of_assessment.methods[0].identity_verified: is required",
        "type_of_assessment.methods[0].supervised: must be true or false",
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"methods": []}, "type_of_assessment.methods: must not be empty"),
        (
            {"methods": [{"type": "quiz", "supervised": True, "identity_verified": True}]},
            "type_of_assessment.methods[0].type: unknown code “quiz” (allowed: written_exam, "
            "report, practical, project, portfolio, oral, recognition_of_prior_learning, "
            "participation)",
        ),
        ("an exam", "type_of_assessment: must be an object with named fields"),
    ],
)
def test_type_of_assessment_problems(check, value, reason):
    assert check("type_of_assessment", value) == [reason]


def test_participation_is_a_valid_shape_even_though_it_is_not_an_assessment(check):
    value = {
        "methods": [{"type": "participation", "supervised": False, "identity_verified": False}]
    }
    assert check("type_of_assessment", value) == []


# Quality assurance


def test_quality_assurance_without_external_qa_is_a_valid_shape(check):
    value = {"internal": {"standard": {"ja": "内部質保証の方針"}, "uri": "http://u.example.jp/qa"}}
    assert check("quality_assurance", value) == []


@pytest.mark.parametrize(
    ("value", "reasons"),
    [
        ({}, ["quality_assurance.internal: is required"]),
        (
            {"internal": {"standard": {"ja": "方針"}, "uri": "/about/qa"}},
            ["quality_assurance.internal.uri: must be an absolute http(s) URI"],
        ),
        (
            {
                "internal": {"standard": {"ja": "方針"}},
                "external": [{"type": "internal", "body": {"ja": "自己点検"}}],
            },
            [
                "quality_assurance.external[0].type: “internal” is not a kind of external "
                "quality assurance (allowed: accreditation, certification, "
                "third_party_evaluation, endorsement)"
            ],
        ),
        (
            {"internal": {"standard": {"ja": "方針"}}, "external": [{"type": "endorsement"}]},
            ["quality_assurance.external[0].body: is required"],
        ),
    ],
)
def test_quality_assurance_problems(check, value, reasons):
    assert check("quality_assurance", value) == reasons


# Credit / other recognition


@pytest.mark.parametrize(
    "value",
    [
        {"credits": [{"system": "ucts", "value": 0.5}]},
        {"recognition": {"ja": "日本工学教育協会による認定"}},
    ],
)
def test_credit_recognition_needs_credits_or_a_recognition(check, value):
    assert check("credit_recognition", value) == []


@pytest.mark.parametrize(
    ("value", "reasons"),
    [
        ({}, ["credit_recognition: needs credits or a recognition"]),
        ({"credits": []}, ["credit_recognition: needs credits or a recognition"]),
        (
            {"credits": [{"system": "semester_hours", "value": 1}]},
            [
                "credit_recognition.credits[0].system: unknown code “semester_hours” "
                "(allowed: jp_university, ucts, ects)"
            ],
        ),
        (
            {"credits": [{"system": "ects", "value": 0}]},
            ["credit_recognition.credits[0].value: must be a number greater than 0"],
        ),
        (
            {"credits": [{"system": "ects", "value": 1}, {"system": "ects", "value": 2}]},
            ["credit_recognition.credits[1].system: “ects” is listed twice"],
        ),
    ],
)
def test_credit_recognition_problems(check, value, reasons):
    assert check("credit_recognition", value) == reasons


# Country / region (ISO 3166-1 through pycountry)


@pytest.mark.parametrize("code", ["JP", "TW", "KR", "DE"])
def test_iso_3166_alpha_2_codes_are_valid_countries(check, code):
    assert check("country_region", code) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("XX", "country_region: “XX” is not an ISO 3166-1 alpha-2 country code"),
        ("JPN", "country_region: “JPN” is not an ISO 3166-1 alpha-2 country code"),
        ("jp", "country_region: “jp”: write the country code in capitals, “JP”"),
        (392, "country_region: must be text"),
    ],
)
def test_country_problems(check, value, reason):
    assert check("country_region", value) == [reason]


# Language (BCP 47 through langcodes)


@pytest.mark.parametrize("tags", [["ja"], ["ja", "en"], ["zh-Hant-TW", "en-US"], ["fil"]])
def test_bcp_47_tags_are_valid_languages(check, tags):
    assert check("language", tags) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (["ja_JP"], "language[0]: “ja_JP”: BCP 47 tags use hyphens, “ja-JP”"),
        (["japanese!"], "language[0]: “japanese!” is not a valid BCP 47 language tag"),
        (["und"], "language[0]: “und” does not name a language"),
        (["ja", "JA"], "language[1]: “JA” is listed twice"),
        ([], "language: must not be empty"),
        ("ja", "language: must be a list"),
    ],
)
def test_language_problems(check, value, reason):
    assert check("language", value) == [reason]


# Level (JEQF levels from the vocabulary)


@pytest.mark.parametrize(
    "value",
    [
        {"jeqf": 5},
        {"description": {"ja": "大学院修士レベル"}},
        {"jeqf": 8, "description": {"en": "PhD"}},
    ],
)
def test_a_level_is_a_jeqf_level_or_a_description(check, value):
    assert check("level", value) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({}, "level: needs a JEQF level (jeqf) or a description"),
        ({"jeqf": 9}, "level.jeqf: must be a JEQF level, one of 1, 2, 3, 4, 5, 6, 7, 8"),
        ({"jeqf": "6"}, "level.jeqf: must be a JEQF level, one of 1, 2, 3, 4, 5, 6, 7, 8"),
    ],
)
def test_level_problems(check, value, reason):
    assert check("level", value) == [reason]


# Certification and stackability


def test_certification_problems(check):
    assert check("certification", {"types": ["digital_badge"]}) == []
    assert check("certification", {"types": ["diploma"]}) == [
        "certification.types[0]: unknown code “diploma” (allowed: digital_badge, "
        "rirekishomei_certificate, certificate_of_completion)"
    ]


def test_stackability_needs_a_description_and_a_known_pattern(check):
    assert check("stackability", {"description": {"ja": "修士課程の単位として認定"}}) == []
    assert check("stackability", {"pattern": "ladder"}) == [
        "stackability.description: is required",
        "stackability.pattern: unknown code “ladder” (allowed: embedded, "
        "recognition_of_prior_learning, modular, tiered)",
    ]


# Values supplied at issuing


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("learner_identification", "", "learner_identification: text is empty"),
        ("date_of_issuing", "1 April 2026", "date_of_issuing: must be a date written YYYY-MM-DD"),
        ("date_of_issuing", "2026-02-30", "date_of_issuing: must be a date written YYYY-MM-DD"),
    ],
)
def test_issuing_value_problems(check, key, value, reason):
    assert check(key, value) == [reason]


def test_problem_messages_are_translated_into_japanese(check):
    assert check("learner_effort", {"total_hours": -3}, "ja") == [
        "learner_effort.total_hours: 0より大きい数値である必要があります"
    ]
    assert check("country_region", "jp", "ja") == [
        "country_region: 「jp」: 国コードは大文字で「JP」と記載してください"
    ]


def test_renderers_write_values_as_readable_text_in_each_language(vocabularies):
    values = fully_described_descriptors()
    effort = value_type_for("learner_effort")
    assert effort.facets["total_hours"](values["learner_effort"], "ja", vocabularies) == (
        "総学習時間 90時間（うち授業時間 30時間）"
    )
    assert effort.facets["total_hours"](values["learner_effort"], "en", vocabularies) == (
        "90 hours in total (30 hours of contact time)"
    )
    credits = value_type_for("credit_recognition").facets["credits"]
    assert (
        credits(values["credit_recognition"], "ja", vocabularies) == "2単位（大学設置基準）、3 ECTS"
    )
    country = value_type_for("country_region")
    assert country.render("JP", "ja", vocabularies) == "日本 (JP)"
    language = value_type_for("language")
    assert language.render(["ja", "en"], "en", vocabularies) == "Japanese (ja), English (en)"
