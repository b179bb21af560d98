"""The micro-credential-level rules of the Japanese framework, one by one."""

import pytest

from frameworks.validation import validate_programme
from tests.frameworks.fixtures import fully_described_descriptors

pytestmark = pytest.mark.usefixtures("frameworks_loaded")


def rule_codes(report):
    return [(rule.code, rule.severity) for rule in report.rules]


def only_rule(report, code):
    [rule] = [rule for rule in report.rules if rule.code == code]
    return rule


def method(kind, supervised=False, identity_verified=False):
    return {"type": kind, "supervised": supervised, "identity_verified": identity_verified}


# An MC must assess its learning outcomes


def test_participation_only_programme_is_not_a_micro_credential():
    values = fully_described_descriptors()
    values["type_of_assessment"] = {"methods": [method("participation")]}
    report = validate_programme(values)
    rule = only_rule(report, "assessment_required")
    assert rule.severity == "error"
    assert rule.message_en.startswith("Participation or attendance alone is not an assessment")
    assert rule.message_ja.startswith("参加・出席のみでは評価になりません")
    assert report.result("type_of_assessment").status == "ok"
    assert not report.is_micro_credential
    assert not report.is_valid


def test_participation_alongside_a_real_assessment_is_a_micro_credential():
    values = fully_described_descriptors()
    values["type_of_assessment"]["methods"].append(method("participation"))
    report = validate_programme(values)
    assert report.is_micro_credential
    assert rule_codes(report) == []


def test_a_programme_without_any_assessment_is_told_to_describe_one():
    values = fully_described_descriptors()
    del values["type_of_assessment"]
    report = validate_programme(values)
    rule = only_rule(report, "assessment_required")
    assert rule.message_en.startswith("No assessment is described")
    assert not report.is_micro_credential


@pytest.mark.parametrize("kind", ["portfolio", "oral", "recognition_of_prior_learning"])
def test_any_assessment_type_other_than_participation_counts(kind):
    values = fully_described_descriptors()
    values["type_of_assessment"] = {"methods": [method(kind)]}
    assert validate_programme(values).is_micro_credential


# Learning volume: about 10 hours or 1 credit (a warning, with the numbers)


def test_ten_hours_meet_the_learning_volume_guideline_without_credits():
    values = fully_described_descriptors()
    values["learner_effort"] = {"total_hours": 10}
    values["credit_recognition"] = {"recognition": {"ja": "本学による修了認定"}}
    values["certification"] = {"types": ["digital_badge"]}
    assert rule_codes(validate_programme(values)) == []


def test_effort_below_ten_hours_without_credits_warns_about_the_hours():
    values = fully_described_descriptors()
    values["learner_effort"] = {"total_hours": 6}
    values["credit_recognition"] = {"recognition": {"ja": "本学による修了認定"}}
    values["certification"] = {"types": ["digital_badge"]}
    report = validate_programme(values)
    rule = only_rule(report, "min_learning_volume")
    assert rule.severity == "warning"
    assert rule.message_en == "Learner effort is 6 hours, below the guideline of about 10 hours."
    assert rule.message_ja == "学習量が6時間で、目安（概ね10時間以上）を下回っています。"
    assert report.is_valid  # a warning does not block


def test_credits_below_one_without_hours_warn_about_the_credits():
    values = fully_described_descriptors()
    del values["learner_effort"]
    values["certification"] = {"types": ["digital_badge"]}
    values["credit_recognition"] = {"credits": [{"system": "jp_university", "value": 0.5}]}
    rule = only_rule(validate_programme(values), "min_learning_volume")
    assert rule.message_en == (
        "The credits (0.5 Japanese university credits) are below the guideline of 1 credit or more."
    )
    assert rule.message_ja == "単位（0.5単位（大学設置基準））が目安（1単位以上）を下回っています。"


def test_both_hours_and_credits_below_the_guideline_are_named_together():
    values = fully_described_descriptors()
    values["learner_effort"] = {"total_hours": 4}
    values["certification"] = {"types": ["digital_badge"]}
    values["credit_recognition"] = {"credits": [{"system": "ucts", "value": 0.1}]}
    rule = only_rule(validate_programme(values), "min_learning_volume")
    assert rule.message_en == (
        "Learner effort is 4 hours and the credits are 0.1 UCTS, below the guideline of about "
        "10 hours or 1 credit."
    )
    assert rule.message_ja == (
        "学習量が4時間、単位が0.1 UCTSで、目安（概ね10時間または1単位以上）を下回っています。"
    )


def test_one_credit_meets_the_guideline_even_when_the_hours_are_fewer_than_ten():
    values = fully_described_descriptors()
    values["learner_effort"] = {"total_hours": 8}
    values["certification"] = {"types": ["digital_badge"]}
    values["credit_recognition"] = {"credits": [{"system": "ects", "value": 1}]}
    assert "min_learning_volume" not in [code for code, _ in rule_codes(validate_programme(values))]


# Quality assurance: an internal standard with an absolute http(s) URI


@pytest.mark.parametrize(
    ("internal", "message_en"),
    [
        (
            {"standard": {"ja": "内部質保証の方針"}},
            "The internal quality-assurance standard needs an absolute http(s) URI describing it.",
        ),
        (
            {"standard": {"ja": "内部質保証の方針"}, "uri": "www.example.ac.jp/qa"},
            "The URI of the internal quality-assurance standard must be an absolute http(s) "
            "URI, not “www.example.ac.jp/qa”.",
        ),
        (
            {"standard": {"ja": "内部質保証の方針"}, "uri": "ftp://example.ac.jp/qa"},
            "The URI of the internal quality-assurance standard must be an absolute http(s) "
            "URI, not “ftp://example.ac.jp/qa”.",
        ),
    ],
)
def test_the_internal_qa_standard_needs_an_absolute_http_uri(internal, message_en):
    values = fully_described_descriptors()
    values["quality_assurance"] = {"internal": internal}
    report = validate_programme(values)
    rule = only_rule(report, "internal_qa_uri_required")
    assert (rule.severity, rule.message_en) == ("error", message_en)
    assert not report.is_valid


def test_missing_quality_assurance_fails_the_internal_qa_rule():
    values = fully_described_descriptors()
    del values["quality_assurance"]
    rule = only_rule(validate_programme(values), "internal_qa_uri_required")
    assert rule.message_ja == (
        "質保証には、内部質保証の基準の名称と、"
        "その内容を示す絶対 http(s) URI を記載する必要があります。"
    )


def test_an_http_uri_satisfies_the_internal_qa_rule():
    values = fully_described_descriptors()
    values["quality_assurance"]["internal"]["uri"] = "http://www.example.ac.jp/qa"
    assert rule_codes(validate_programme(values)) == []


# 履修証明 programmes need 60 hours or more


def test_a_rirekishomei_programme_under_sixty_hours_is_an_error():
    values = fully_described_descriptors()
    values["learner_effort"] = {"total_hours": 45, "contact_hours": 15}
    values["credit_recognition"]["credits"] = [{"system": "jp_university", "value": 1}]
    report = validate_programme(values)
    rule = only_rule(report, "rirekishomei_min_hours")
    assert rule.severity == "error"
    assert rule.message_ja == "履修証明プログラムは60時間以上が必要です（総学習時間: 45時間）。"
    assert rule.message_en == (
        "A 履修証明 programme needs 60 hours or more; learner effort is 45 hours."
    )
    assert not report.is_valid


def test_a_rirekishomei_programme_of_exactly_sixty_hours_is_fine():
    values = fully_described_descriptors()
    values["learner_effort"] = {"total_hours": 60}
    values["credit_recognition"]["credits"] = [{"system": "ects", "value": 2}]
    assert rule_codes(validate_programme(values)) == []


def test_a_rirekishomei_programme_must_state_its_hours():
    values = fully_described_descriptors()
    del values["learner_effort"]
    rule = only_rule(validate_programme(values), "rirekishomei_min_hours")
    assert "total learning hours are not stated" in rule.message_en


def test_under_sixty_hours_is_fine_without_a_rirekishomei_certificate():
    values = fully_described_descriptors()
    values["learner_effort"] = {"total_hours": 45}
    values["certification"] = {"types": ["digital_badge"]}
    values["credit_recognition"]["credits"] = [{"system": "jp_university", "value": 1}]
    assert rule_codes(validate_programme(values)) == []


# Credits should match the hours of their credit system (from the vocabulary data)


def test_credits_that_do_not_match_their_systems_hours_warn_with_the_expected_range():
    values = fully_described_descriptors()
    values["credit_recognition"]["credits"] = [
        {"system": "jp_university", "value": 1},
        {"system": "ects", "value": 2},
    ]
    report = validate_programme(values)
    messages = [r.message_en for r in report.rules if r.code == "credit_hours_consistent"]
    assert messages == [
        "Learner effort is 90 hours, but the credit system expects 45 hours of learning for "
        "1 Japanese university credit.",
        "Learner effort is 90 hours, but the credit system expects 50–60 hours of learning for "
        "2 ECTS.",
    ]
    assert report.is_valid


def test_credits_within_their_systems_hour_range_do_not_warn():
    values = fully_described_descriptors()
    values["credit_recognition"]["credits"] = [{"system": "ucts", "value": 2}]
    values["learner_effort"] = {"total_hours": 90}  # 2 UCTS = 76–96 hours
    assert rule_codes(validate_programme(values)) == []


def test_rules_results_are_only_the_failed_rules_with_both_languages():
    values = fully_described_descriptors()
    values["type_of_assessment"] = {"methods": [method("participation")]}
    values["learner_effort"] = {"total_hours": 5}
    values["credit_recognition"] = {"recognition": {"ja": "修了認定"}}
    report = validate_programme(values)
    assert rule_codes(report) == [
        ("assessment_required", "error"),
        ("rirekishomei_min_hours", "error"),
        ("min_learning_volume", "warning"),
    ]
    assert [r.code for r in report.errors] == ["assessment_required", "rirekishomei_min_hours"]
    assert all(rule.message_ja != rule.message_en for rule in report.rules)
