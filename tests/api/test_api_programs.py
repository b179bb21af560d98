"""Programmes over the API: list, create, read, patch, publish; descriptor validation."""

import pytest

from credentials.models import Programme
from issuers.models import AuditEvent
from tests.api.conftest import assert_problem
from tests.frameworks.fixtures import fully_described_descriptors

URL = "/api/v1/programs/"


def test_list_shows_only_the_clients_issuer(api_a, version_a, version_b):
    response = api_a.get(URL)
    assert response.status_code == 200
    slugs = [programme["slug"] for programme in response.json()["results"]]
    assert slugs == ["ds-a"]


def test_create_a_draft_and_read_it(api_a, issuer_a):
    descriptors = fully_described_descriptors()
    response = api_a.post(URL, {"slug": "new-prog", "descriptors": descriptors}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["version"] == 1
    assert body["published_version"] is None
    assert body["descriptors"]["title"] == descriptors["title"]
    programme = Programme.objects.get(issuer=issuer_a, slug="new-prog")
    # The service audited it, naming the client's service account.
    event = AuditEvent.objects.get(action="programme.create", target_id=str(programme.pk))
    assert event.actor == api_a.record.user
    assert event.actor_label.startswith("api-univ-a-")

    detail = api_a.get(f"{URL}{programme.pk}/")
    assert detail.status_code == 200
    assert detail.json()["slug"] == "new-prog"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", "空にはできません"), ("en", "must not be empty")],
)
def test_invalid_descriptors_are_reported_per_descriptor(make_client, issuer_a, language, expected):
    client = make_client(issuer_a, ["programs:write"], language=language)
    descriptors = fully_described_descriptors()
    descriptors["learning_outcomes"] = []
    descriptors["country_region"] = "XX"
    descriptors["awarding_body"] = {"ja": "どこか"}
    response = client.post(URL, {"slug": "bad", "descriptors": descriptors}, format="json")
    body = assert_problem(response, 400)
    errors = body["errors"]
    assert set(errors) >= {
        "descriptors.learning_outcomes",
        "descriptors.country_region",
        "descriptors.awarding_body",
    }
    assert response["Content-Language"] == language
    assert not Programme.objects.filter(slug="bad").exists()
    joined = " ".join(errors["descriptors.learning_outcomes"])
    assert expected in joined, joined


@pytest.mark.parametrize(
    ("language", "required"), [("ja", "この項目は必須です。"), ("en", "This field is required.")]
)
def test_missing_fields_in_the_request_language(make_client, issuer_a, language, required):
    client = make_client(issuer_a, ["programs:write"], language=language)
    body = assert_problem(client.post(URL, {}, format="json"), 400)
    assert body["errors"]["slug"] == [required]
    assert body["errors"]["descriptors"] == [required]


def test_patch_merges_descriptors_and_revises_a_published_programme(api_a, version_a):
    programme = version_a.programme
    response = api_a.patch(
        f"{URL}{programme.pk}/",
        {"descriptors": {"prerequisites": {"ja": "なし", "en": "None"}}, "criteria_en": "Pass."},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2 and body["published_version"] == 1
    assert body["descriptors"]["prerequisites"] == {"ja": "なし", "en": "None"}
    assert body["descriptors"]["title"] == version_a.descriptors["title"]  # merged, not replaced
    assert body["criteria_en"] == "Pass."


def test_patch_rejects_an_invalid_descriptor(api_a, version_a):
    response = api_a.patch(
        f"{URL}{version_a.programme.pk}/",
        {"descriptors": {"learner_effort": {"total_hours": -3}}},
        format="json",
    )
    body = assert_problem(response, 400)
    assert list(body["errors"]) == ["descriptors.learner_effort"]
    assert version_a.programme.versions.count() == 1


def test_publish_a_complete_draft(api_a, issuer_a):
    created = api_a.post(
        URL, {"slug": "to-publish", "descriptors": fully_described_descriptors()}, format="json"
    ).json()
    response = api_a.post(f"{URL}{created['id']}/publish/", format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert response.json()["published_version"] == 1


@pytest.mark.parametrize(("language", "marker"), [("ja", "必須"), ("en", "Required")])
def test_publish_an_incomplete_draft_lists_the_missing_descriptors(
    make_client, issuer_a, language, marker
):
    client = make_client(issuer_a, ["programs:write", "programs:read"], language=language)
    descriptors = {"title": {"ja": "題名だけ", "en": "Only a title"}}
    created = client.post(URL, {"slug": "thin", "descriptors": descriptors}, format="json")
    assert created.status_code == 201, created.content
    response = client.post(f"{URL}{created.json()['id']}/publish/", format="json")
    body = assert_problem(response, 422)
    assert "descriptors.learning_outcomes" in body["errors"]
    assert "descriptors.type_of_assessment" in body["errors"]
    assert marker in body["errors"]["descriptors.learning_outcomes"][0]
    assert Programme.objects.get(slug="thin").status == "draft"


def test_a_programme_carries_the_frameworks_warnings_for_an_lms_to_show(api_a, issuer_a):
    descriptors = fully_described_descriptors()
    descriptors["learner_effort"] = {"total_hours": 6}
    descriptors["credit_recognition"] = {"credits": [{"system": "jp_university", "value": 1}]}
    response = api_a.post(URL, {"slug": "short", "descriptors": descriptors}, format="json")
    assert response.status_code == 201, response.content
    warnings = api_a.get(f"{URL}{response.json()['id']}/").json()["warnings"]
    assert {"code", "severity", "message_ja", "message_en"} == set(warnings[0])
    codes = {warning["code"] for warning in warnings}
    assert "credit_hours_consistent" in codes  # 1 credit expects 45 hours, not 6
    assert all(warning["severity"] == "warning" for warning in warnings)
    by_code = {warning["code"]: warning for warning in warnings}
    assert "45" in by_code["credit_hours_consistent"]["message_en"]


def test_a_programme_meeting_every_guideline_has_no_warnings(api_a, version_a):
    assert api_a.get(f"{URL}{version_a.programme_id}/").json()["warnings"] == []
