"""A private or missing credential page explains itself (and how to verify a badge file) in the
visitor's language, with the same 404 for both so that a page's existence is not revealed."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from credentials.models import Award
from tests.badges.ob2_world import badge_record, issued_award, make_issuer, make_version
from tests.credentials.factories import AwardFactory

pytestmark = pytest.mark.django_db
JA_TITLE = "この証明書は非公開に設定されているか、存在しません"
EN_TITLE = "This credential is private or does not exist"


@pytest.fixture
def version():
    issuer = make_issuer(slug="minato-u", name_ja="みなと大学", name_en="Minato University")
    return make_version(issuer, programme__slug="data-science")


def page_url(public_id) -> str:
    return reverse("badges:credential-page", kwargs={"public_id": public_id})


def main(response) -> str:
    """The page body (the header differs: it holds the page's own path and a CSRF token)."""
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_an_unknown_credential_page_is_a_friendly_404_in_japanese(client):
    response = client.get(page_url(uuid.uuid4()))

    page = response.content.decode()
    assert response.status_code == 404
    assert JA_TITLE in page
    assert 'href="/verify/"' in page
    assert "検証ページ" in page
    assert 'data-page="credential-unavailable"' in page


def test_a_private_page_answers_exactly_like_a_missing_one_in_english(client, version):
    award = badge_record(issued_award(version)).award
    Award.objects.filter(pk=award.pk).update(public_page_visible=False)

    private = client.get(page_url(award.public_id), HTTP_ACCEPT_LANGUAGE="en")
    missing = client.get(page_url(uuid.uuid4()), HTTP_ACCEPT_LANGUAGE="en")

    assert private.status_code == missing.status_code == 404
    assert EN_TITLE in private.content.decode()
    assert "verify page" in private.content.decode()
    assert main(private) == main(missing)
    assert award.programme_version.title not in private.content.decode()


def test_a_pending_award_page_is_the_same_friendly_404(client, version):
    pending = AwardFactory(assessment__programme_version=version)

    response = client.get(page_url(pending.public_id), HTTP_ACCEPT_LANGUAGE="ja")

    assert response.status_code == 404
    assert JA_TITLE in response.content.decode()


def test_any_other_missing_page_uses_the_sites_404_in_the_visitors_language(client):
    japanese = client.get("/no-such-page/")
    english = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")

    assert japanese.status_code == english.status_code == 404
    assert "ページが見つかりません" in japanese.content.decode()
    assert "Page not found" in english.content.decode()
    assert 'data-page="not-found"' in english.content.decode()


def test_the_server_error_page_is_the_sites_own_in_both_languages(rf):
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("ja"):
        japanese = server_error(rf.get("/"))
    with translation.override("en"):
        english = server_error(rf.get("/"))

    assert japanese.status_code == english.status_code == 500
    assert "問題が発生しました" in japanese.content.decode()
    assert "Something went wrong" in english.content.decode()
