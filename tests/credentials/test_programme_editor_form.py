"""The programme editor without JSON: every descriptor is edited by real controls generated from
its value type; what staff type comes back as exactly the descriptor values the API takes; errors
name fields and allowed values by their labels; the preview and the API show the warnings."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from credentials.models import Programme
from tests.credentials.test_credentials_admin import _form_data, login

API_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented_programme() -> dict:
    """The programme of docs/api.md §2, as an LMS would post it."""
    text = API_GUIDE.read_text(encoding="utf-8")
    body = re.search(r"cat > programme\.json <<'JSON'\n(.*?)\nJSON\n", text, re.S).group(1)
    return json.loads(body)


@pytest.fixture
def documented_version(version_a):
    version_a.descriptors = documented_programme()["descriptors"]
    version_a.save()
    return version_a


def editor_url(programme=None):
    if programme is None:
        return reverse("admin:credentials_programme_add")
    return reverse("admin:credentials_programme_change", args=[programme.pk])


class TestEveryDescriptorHasControls:
    def test_the_add_page_has_no_field_labelled_json_and_no_null(self, client, designer_a):
        with translation.override("ja"):
            page = login(client, designer_a).get(editor_url(), HTTP_ACCEPT_LANGUAGE="ja")
        html = page.content.decode()
        assert page.status_code == 200
        assert "JSON" not in html
        assert "null" not in html
        assert "<textarea" in html  # paragraphs are still textareas, but none asks for JSON
        form = page.context["form"]
        assert not [name for name, field in form.fields.items() if "JSON" in str(field.label)]

    def test_choices_are_shown_by_their_japanese_labels(self, client, designer_a):
        html = login(client, designer_a).get(editor_url()).content.decode()
        for label in ("ブレンド型", "非同期型", "筆記試験", "履修証明書", "段階的積み上げ"):
            assert label in html
        assert "レベル6（学士）" in html
        assert 'type="number"' in html and 'type="url"' in html
        assert 'name="d-stackability-pattern" value="embedded"' in html  # a radio button

    def test_the_documented_programme_survives_a_round_trip_through_the_editor_unchanged(
        self, client, owner_a, documented_version
    ):
        client = login(client, owner_a)
        form = client.get(editor_url(documented_version.programme)).context["form"]
        response = client.post(editor_url(documented_version.programme), _form_data(form))
        assert response.status_code == 302, response.context["form"].errors
        programme = Programme.objects.get(pk=documented_version.programme_id)
        assert programme.latest_version.descriptors == documented_programme()["descriptors"]

    def test_repeatable_rows_may_be_removed_and_numbered_with_gaps(
        self, client, owner_a, documented_version
    ):
        client = login(client, owner_a)
        form = client.get(editor_url(documented_version.programme)).context["form"]
        data = _form_data(form)
        # The page removed the first assessment method and added a third row as number 5.
        for name in [n for n in data if n.startswith("d-type_of_assessment-methods-0-")]:
            del data[name]
        data["d-type_of_assessment-methods-5-type"] = "oral"
        data["d-type_of_assessment-methods-5-supervised"] = "on"
        data["d-type_of_assessment-methods-5-description-ja"] = "口頭試問"
        assert client.post(editor_url(documented_version.programme), data).status_code == 302
        methods = Programme.objects.get(pk=documented_version.programme_id).latest_version
        assert methods.descriptors["type_of_assessment"]["methods"] == [
            documented_programme()["descriptors"]["type_of_assessment"]["methods"][1],
            {
                "type": "oral",
                "supervised": True,
                "identity_verified": False,
                "description": {"ja": "口頭試問"},
            },
        ]


class TestErrorsNameFieldsByTheirLabels:
    def post(self, client, user, issuer, extra):
        data = {"issuer": issuer.pk, "slug": "checked", "d-title-ja": "検査", **extra}
        with translation.override("ja"):
            return login(client, user).post(editor_url(), data, HTTP_ACCEPT_LANGUAGE="ja")

    def test_a_credit_system_chosen_twice_is_named_by_its_label_not_its_code(
        self, client, designer_a, issuer_a
    ):
        response = self.post(
            client,
            designer_a,
            issuer_a,
            {
                "d-credit_recognition-credits-0-system": "jp_university",
                "d-credit_recognition-credits-0-value": "2",
                "d-credit_recognition-credits-1-system": "jp_university",
                "d-credit_recognition-credits-1-value": "1",
            },
        )
        errors = response.context["form"].errors["d-credit_recognition-credits-1-system"]
        assert errors == ["「大学設置基準の単位」が二度選ばれています"]
        html = response.content.decode()
        assert "jp_university" not in re.sub(r'[\w-]+="[^"]*"', "", html)
        assert not Programme.objects.exists()

    def test_the_error_summary_links_each_error_to_its_field_and_keeps_what_was_typed(
        self, client, designer_a, issuer_a
    ):
        response = self.post(
            client,
            designer_a,
            issuer_a,
            {
                "d-learner_effort-total_hours": "10",
                "d-learner_effort-contact_hours": "30",
                "d-type_of_assessment-methods-0-description-ja": "期末レポート",
            },
        )
        places = [(anchor, what) for anchor, what, _message in response.context["error_summary"]]
        effort = "学習量（総学習時間） › うち対面・同期の時間"
        assert ("id_d-learner_effort-contact_hours", effort) in places
        assert (
            "id_d-type_of_assessment-methods-0-type",
            "評価の方法 › 方法 1 › 評価方法",
        ) in places
        html = response.content.decode()
        assert 'href="#id_d-learner_effort-contact_hours"' in html
        assert 'value="30"' in html and "期末レポート" in html
        assert "contact_hours" not in re.sub(r'[\w-]+="[^"]*"', "", html)


class TestPreviewAndWarnings:
    def test_the_preview_renders_unsaved_entries_with_completeness_and_warnings(
        self, client, designer_a, issuer_a
    ):
        data = {
            "issuer": issuer_a.pk,
            "d-title-ja": "下書きの題名",
            "d-title-en": "Draft title",
            "d-learner_effort-total_hours": "5",
        }
        with translation.override("ja"):
            response = login(client, designer_a).post(
                reverse("admin:credentials_programme_preview"), data, HTTP_ACCEPT_LANGUAGE="ja"
            )
        html = response.content.decode()
        assert response.status_code == 200
        assert "下書きの題名" in html and "Draft title" in html and "甲大学" in html
        assert "5時間" in html  # the descriptor table in Japanese
        warnings = response.context["preview"]["report"].warnings
        assert warnings and all(rule.message_ja in html for rule in warnings)
        assert not Programme.objects.exists()

    def test_another_issuers_programme_cannot_be_previewed(self, client, designer_a, version_b):
        url = reverse("admin:credentials_programme_preview_existing", args=[version_b.programme_id])
        assert login(client, designer_a).post(url, {}).status_code in (302, 403, 404)
