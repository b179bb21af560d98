"""validate_programme against the default (Japanese) framework: per-descriptor results."""

import json

import pytest

from frameworks.validation import validate_programme
from tests.frameworks.fixtures import PROGRAMME_LEVEL_KEYS, fully_described_descriptors

pytestmark = pytest.mark.usefixtures("frameworks_loaded")

ISSUER = {"ja": "みなと大学", "en": "Minato University"}


def statuses(report):
    return {result.key: result.status for result in report.results}


def test_a_fully_described_programme_is_a_valid_complete_micro_credential():
    report = validate_programme(fully_described_descriptors(), awarding_body=ISSUER)
    assert report.is_valid
    assert report.is_micro_credential
    assert report.completeness == 100
    assert report.rules == ()
    assert set(statuses(report).values()) == {"ok"}
    assert (report.framework_slug, report.framework_version) == ("jp-mc", "1.0")


def test_the_report_has_one_result_per_descriptor_of_the_framework_in_order(jp_framework):
    report = validate_programme({})
    assert [r.key for r in report.results] == list(
        jp_framework.descriptors.order_by("number").values_list("key", flat=True)
    )
    assert report.result("title").label_ja == "マイクロクレデンシャル名称"
    assert report.result("title").label_en == "Title of the micro-credential"


def test_an_empty_programme_is_missing_every_programme_descriptor():
    report = validate_programme({})
    missing = {key for key, status in statuses(report).items() if status == "missing"}
    assert missing == set(PROGRAMME_LEVEL_KEYS)
    assert not report.is_valid
    assert not report.is_micro_credential


def test_a_missing_required_descriptor_makes_the_programme_invalid_and_says_so():
    values = fully_described_descriptors()
    del values["learning_outcomes"]
    report = validate_programme(values)
    result = report.result("learning_outcomes")
    assert (result.status, result.required) == ("missing", True)
    assert result.reason_en == "Required, but not provided."
    assert result.reason_ja == "必須記述子ですが、入力されていません。"
    assert not report.is_valid


def test_a_missing_optional_descriptor_leaves_the_programme_valid():
    values = fully_described_descriptors()
    for key in ("language", "level", "stackability", "country_region"):
        del values[key]
    report = validate_programme(values)
    assert report.result("stackability").status == "missing"
    assert report.result("stackability").reason_en == "Optional; not provided."
    assert report.is_valid
    assert report.completeness == 100


def test_an_explicit_null_counts_as_not_provided():
    values = fully_described_descriptors() | {"prerequisites": None}
    assert validate_programme(values).result("prerequisites").status == "missing"


def test_an_invalid_optional_descriptor_makes_the_programme_invalid():
    values = fully_described_descriptors() | {"language": ["ja_JP"]}
    report = validate_programme(values)
    assert report.result("language").status == "invalid"
    assert not report.is_valid


def test_an_invalid_descriptor_reason_names_the_path_in_both_languages():
    values = fully_described_descriptors()
    values["learning_outcomes"][2] = {"ja": "", "en": ""}
    result = validate_programme(values).result("learning_outcomes")
    assert result.status == "invalid"
    assert result.reason_en == "learning_outcomes[2]: text is empty"
    assert result.reason_ja == "learning_outcomes[2]: テキストが空です"
    assert [(p.path, p.message_en) for p in result.problems] == [
        ("learning_outcomes[2]", "text is empty")
    ]


def test_several_problems_of_one_descriptor_are_all_reported():
    values = fully_described_descriptors()
    values["learner_effort"] = {"total_hours": 0, "contact_hours": -2}
    result = validate_programme(values).result("learner_effort")
    assert result.reason_en == (
        "learner_effort.total_hours: must be a number greater than 0; "
        "learner_effort.contact_hours: must be a number of 0 or more"
    )
    assert len(result.problems) == 2


@pytest.mark.parametrize(
    ("removed", "expected"),
    [((), 100), (("title",), 90), (("title", "content", "learner_effort"), 72)],
)
def test_completeness_is_the_rounded_down_share_of_required_descriptors_that_are_ok(
    removed, expected
):
    values = fully_described_descriptors()
    for key in removed:
        del values[key]
    report = validate_programme(values)
    required = [r for r in report.results if r.required]
    assert len(required) == 11
    assert report.completeness == expected == (11 - len(removed)) * 100 // 11


def test_award_descriptors_are_ok_and_explained_as_supplied_at_issuing():
    result = validate_programme(fully_described_descriptors()).result("date_of_issuing")
    assert result.status == "ok"
    assert result.reason_en == "Supplied at issuing; not entered on a programme."
    assert result.reason_ja == "発行時に付与されます（プログラムには入力しません）。"


def test_award_descriptors_entered_on_a_programme_are_invalid():
    values = fully_described_descriptors() | {"learner_identification": "learner@example.jp"}
    report = validate_programme(values)
    result = report.result("learner_identification")
    assert result.status == "invalid"
    assert "must not be entered on a programme" in result.reason_en
    assert not report.is_valid


def test_the_awarding_body_is_named_when_the_issuer_is_given():
    report = validate_programme(fully_described_descriptors(), awarding_body=ISSUER)
    result = report.result("awarding_body")
    assert result.status == "ok"
    assert result.reason_ja == "発行機関の情報から付与されます: みなと大学。"
    assert result.reason_en == "Supplied from the issuer organisation: Minato University."


class IssuerLike:
    name_ja = "北の大学"
    name_en = ""


def test_the_awarding_body_may_be_an_issuer_object_or_a_plain_name():
    by_object = validate_programme({}, awarding_body=IssuerLike()).result("awarding_body")
    by_string = validate_programme({}, awarding_body="Kita University").result("awarding_body")
    assert by_object.reason_en == "Supplied from the issuer organisation: 北の大学."
    assert by_string.reason_ja == "発行機関の情報から付与されます: Kita University。"


def test_an_issuer_without_a_name_makes_the_awarding_body_invalid():
    report = validate_programme(fully_described_descriptors(), awarding_body={"ja": " "})
    assert report.result("awarding_body").status == "invalid"
    assert not report.is_valid


def test_without_the_issuer_the_awarding_body_is_ok_as_supplied_at_issuing():
    result = validate_programme(fully_described_descriptors()).result("awarding_body")
    assert (result.status, result.reason_en) == (
        "ok",
        "Supplied from the issuer organisation at issuing.",
    )


def test_unknown_descriptor_keys_are_reported_as_invalid():
    values = fully_described_descriptors() | {"duration_weeks": 8}
    report = validate_programme(values)
    result = report.result("duration_weeks")
    assert (result.status, result.required, result.source) == ("invalid", False, "")
    assert result.reason_en == "“duration_weeks” is not a descriptor key (see docs/descriptors.md)."
    assert (
        result.reason_ja
        == "「duration_weeks」は記述子のキーではありません（docs/descriptors.md を参照）。"
    )
    assert not report.is_valid


def test_descriptors_must_be_a_dict():
    with pytest.raises(TypeError):
        validate_programme([("title", {"ja": "x"})])


def test_the_report_serialises_to_json():
    values = fully_described_descriptors()
    del values["content"]
    data = validate_programme(values, awarding_body=ISSUER).as_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["is_valid"] is False
    assert data["completeness"] == 90
    assert data["framework"] == {"slug": "jp-mc", "version": "1.0"}
    content = next(r for r in data["results"] if r["key"] == "content")
    assert content["status"] == "missing"
    assert set(content) == {
        "key",
        "label_ja",
        "label_en",
        "required",
        "source",
        "status",
        "reason_ja",
        "reason_en",
        "problems",
    }
