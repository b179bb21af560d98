"""GET /api/v1/programs/{id}/crosswalk/: a programme mapped onto the EU Annex I or the
Australian NMF elements with its credit conversion, as JSON or as a CSV for Excel."""

import csv
import io

import pytest

from tests.api.conftest import assert_problem
from tests.credentials.factories import ProgrammeVersionFactory
from tests.frameworks.fixtures import fully_described_descriptors

BOM = "\ufeff".encode()


def url(version) -> str:
    return f"/api/v1/programs/{version.programme.pk}/crosswalk/"


def rows_of(response) -> list[list[str]]:
    assert response.content.startswith(BOM)
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def by_key(body) -> dict:
    return {element["key"]: element for element in body["elements"]}


def test_eu_export_lists_annex_i_elements_with_their_status(api_a, version_a):
    response = api_a.get(url(version_a), {"framework": "eu"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["program"], body["version"]) == (version_a.programme.pk, 1)
    assert body["framework"]["code"] == "eu" and body["framework"]["slug"] == "eu-mc"
    elements = by_key(body)
    assert elements["title"]["status"] == "present"
    assert elements["title"]["value_ja"] == version_a.descriptors["title"]["ja"]
    assert elements["awarding_body"]["value_en"] == "Alpha University"
    assert elements["learner_identification"]["status"] == "at_issuing"
    assert elements["date_of_issuing"]["status"] == "at_issuing"
    workload = elements["notional_workload"]
    assert workload["required"] is True
    assert workload["draws_on"] == ["learner_effort", "credit_recognition.ects"]
    assert "3 ECTS" in workload["value_en"]
    assert body["missing"] == []


def test_eu_export_reports_missing_required_elements_of_the_asked_version(api_a, version_a):
    descriptors = fully_described_descriptors()
    del descriptors["level"]
    del descriptors["country_region"]
    ProgrammeVersionFactory(
        programme=version_a.programme, number=2, published_at=None, descriptors=descriptors
    )
    latest = api_a.get(url(version_a), {"framework": "eu"}).json()
    assert latest["version"] == 2
    assert latest["missing"] == ["country_region", "level"]
    assert by_key(latest)["level"]["status"] == "missing"
    first = api_a.get(url(version_a), {"framework": "eu", "version": 1}).json()
    assert (first["version"], first["missing"]) == (1, [])


def test_au_export_lists_the_nmf_elements(api_a, version_a):
    body = api_a.get(url(version_a), {"framework": "au"}).json()
    assert body["framework"]["code"] == "au"
    elements = by_key(body)
    assert elements["provider"]["value_ja"] == "甲大学"
    assert elements["volume_of_learning"]["draws_on"] == ["learner_effort"]
    assert elements["credit"]["status"] == "present"
    assert "learner_identification" not in elements
    assert body["missing"] == []


def test_au_export_names_a_missing_required_prerequisite(api_a, issuer_a):
    descriptors = fully_described_descriptors()
    del descriptors["prerequisites"]
    version = ProgrammeVersionFactory(programme__issuer=issuer_a, descriptors=descriptors)
    body = api_a.get(url(version), {"framework": "au"}).json()
    assert body["missing"] == ["prerequisites"]
    assert by_key(body)["prerequisites"]["status"] == "missing"


def test_json_carries_the_credit_conversion_with_its_basis(api_a, issuer_a):
    descriptors = fully_described_descriptors()
    del descriptors["learner_effort"]
    descriptors["credit_recognition"]["credits"] = [{"system": "jp_university", "value": 2}]
    version = ProgrammeVersionFactory(programme__issuer=issuer_a, descriptors=descriptors)
    body = api_a.get(url(version), {"framework": "eu"}, HTTP_ACCEPT_LANGUAGE="en").json()
    conversion = body["credit_conversion"]
    assert conversion["hours"]["hours"] == {"min": 90.0, "max": 90.0}
    assert conversion["hours"]["from_system"] == "jp_university"
    ects = next(e for e in conversion["equivalents"] if e["system"] == "ects")
    assert ects["status"] == "converted"
    assert ects["amount"] == {"min": 3.0, "max": 3.6}
    assert ects["basis_ja"] == "2単位 × 45時間 = 90時間 ÷ 25〜30時間/ECTS = 3〜3.6 ECTS"
    assert ects["hours_per_credit"] == {"min": 25.0, "max": 30.0}
    assert body["lang"] == "en"


def test_eu_export_indicates_the_eqf_level_and_cycle_with_its_basis(api_a, version_a):
    body = api_a.get(url(version_a), {"framework": "eu"}).json()  # JEQF level 6
    level = body["level_reference"]
    assert (level["jeqf_level"], level["eqf_level"], level["qf_ehea_cycle"]) == (
        6, 6, "first_cycle",
    )  # fmt: skip
    assert level["status"] == "indicative"
    assert level["value_ja"] == "EQF レベル6・QF-EHEA 第1サイクル（参考）"
    assert "not a formal referencing" in level["basis_en"]
    assert api_a.get(url(version_a), {"framework": "au"}).json()["level_reference"] is None


def test_csv_opens_in_excel_with_japanese_headers_and_crlf(api_a, version_a):
    response = api_a.get(url(version_a), {"framework": "eu"}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="ds-a-v1-crosswalk-eu.csv"' in response["Content-Disposition"]
    assert response.content.startswith(BOM)
    rows = rows_of(response)
    # Every record ends with CRLF (a line break inside a quoted value stays a bare LF).
    assert len(response.content.split(b"\r\n")) == len(rows) + 1
    assert rows[0] == [
        "区分", "キー", "項目名（日本語）", "項目名（英語）", "必須", "状態",
        "値（日本語）", "値（英語）", "参照する日本の記述子", "換算の根拠",
    ]  # fmt: skip
    element_rows = [row for row in rows[1:] if row[0] == "要素"]
    assert [row[1] for row in element_rows][:3] == [
        "learner_identification",
        "title",
        "country_region",
    ]
    learner = element_rows[0]
    assert (learner[4], learner[5]) == ("はい", "発行時に記載")
    workload = next(row for row in element_rows if row[1] == "notional_workload")
    assert workload[8] == "学習量（総学習時間）; 単位／その他の認定（ects）"
    (level,) = [row for row in rows[1:] if row[0] == "レベル対応"]
    assert (level[1], level[5], level[6]) == (
        "eqf_level", "参考", "EQF レベル6・QF-EHEA 第1サイクル（参考）",
    )  # fmt: skip
    assert level[8] == "レベル" and level[9].startswith("参考値であり")
    conversion = {row[1]: row for row in rows[1:] if row[0] == "単位換算"}
    assert list(conversion) == ["learning_hours", "jp_university", "ucts", "ects"]
    assert conversion["ects"][5] == "記載値"
    assert conversion["ucts"][9] == "90時間 ÷ 38〜48時間/UCTS = 1.9〜2.4 UCTS"


def test_csv_headers_follow_accept_language_english(api_a, version_a):
    response = api_a.get(
        url(version_a), {"framework": "au"}, HTTP_ACCEPT="text/csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = rows_of(response)
    assert rows[0][:3] == ["Section", "Key", "Element (Japanese)"]
    assert rows[1][0] == "Element" and rows[1][5] == "Present"


def test_csv_cells_cannot_run_as_formulas(api_a, issuer_a):
    descriptors = fully_described_descriptors()
    descriptors["title"] = {"ja": '=HYPERLINK("http://evil")', "en": "+1+1"}
    version = ProgrammeVersionFactory(programme__issuer=issuer_a, descriptors=descriptors)
    rows = rows_of(api_a.get(url(version), {"framework": "eu"}, HTTP_ACCEPT="text/csv"))
    title = next(row for row in rows if row[1] == "title")
    assert title[6] == '\'=HYPERLINK("http://evil")' and title[7] == "'+1+1"


def test_another_issuers_programme_is_not_found(api_a, version_b):
    assert_problem(api_a.get(url(version_b), {"framework": "eu"}), 404)
    assert_problem(api_a.get(url(version_b), {"framework": "eu"}, HTTP_ACCEPT="text/csv"), 404)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ja", "「xx」は出力先の枠組みではありません。"),
        ("en", "“xx” is not a framework to export to. Allowed: eu (EU Council"),
    ],
)
def test_an_unknown_framework_is_a_400_naming_the_allowed_ones(
    make_client, issuer_a, version_a, language, expected
):
    client = make_client(issuer_a, ["programs:read"], language=language)
    body = assert_problem(client.get(url(version_a), {"framework": "xx"}), 400)
    message = body["errors"]["framework"][0]
    assert message.startswith(expected), message
    assert "eu" in message and "au" in message and "2022/C 243/02" in message


def test_an_unknown_version_is_a_400_naming_the_versions(api_a, version_a):
    body = assert_problem(api_a.get(url(version_a), {"framework": "eu", "version": 9}), 400)
    assert body["errors"]["version"] == [
        "この教育プログラムにはバージョン9がありません。バージョン: 1"
    ]


def test_the_export_needs_the_programs_read_scope(make_client, issuer_a, version_a):
    client = make_client(issuer_a, ["awards:read"])
    assert_problem(client.get(url(version_a), {"framework": "eu"}), 403)


def test_openapi_documents_json_and_csv(api_a):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/programs/{id}/crosswalk/"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["framework"]["required"] is True
    assert parameters["framework"]["schema"].get("enum") == ["eu", "au"] or "$ref" in str(
        parameters["framework"]["schema"]
    )
    assert "version" in parameters and "format" not in parameters
