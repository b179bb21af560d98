"""The credential page kept rendered for visitors without a session (issue #15): the second
visit is one query and the same bytes; a revocation, a suspension or hiding the page shows at
once; the learner (a session) always gets their own fresh page; each language is kept apart."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credentials.services.award_lifecycle import suspend_award
from credentials.services.awards import revoke_award
from credentials.services.learner_access import LEARNER_SESSION_KEY, set_public_page_visibility
from tests.badges.ob2_world import badge_record, issued_award, make_issuer, make_version
from tests.badges.ob3_world import officer_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def award():
    issuer = make_issuer(slug="minato-u", name_ja="みなと大学", name_en="Minato University")
    award = issued_award(make_version(issuer, programme__slug="data-science"))
    badge_record(award)
    return award


def url(award) -> str:
    return reverse("badges:credential-page", kwargs={"public_id": award.public_id})


def test_a_second_anonymous_visit_is_one_query_and_the_same_page(client, award):
    first = client.get(url(award))
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url(award))
    # One indexed lookup of the award's state (the savepoints are the request's transaction).
    assert [q["sql"].split()[0] for q in queries if "SAVEPOINT" not in q["sql"]] == ["SELECT"]
    assert second.status_code == 200 and second.content == first.content
    assert second["Vary"] == "Accept-Language, Cookie"


def test_japanese_and_english_pages_are_kept_apart(client, award):
    ja = client.get(url(award), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    en = client.get(url(award), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "有効です" in ja and "This badge is valid" in en
    assert (
        "This badge is valid" in client.get(url(award), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_a_revocation_shows_on_the_next_visit(client, award):
    assert 'data-verdict="valid"' in client.get(url(award)).content.decode()
    issuer = award.programme_version.programme.issuer
    revoke_award(actor=officer_of(issuer), award=award, reason="不正行為が判明したため")
    page = client.get(url(award)).content.decode()
    assert 'data-verdict="revoked"' in page and "不正行為が判明したため" in page


def test_a_suspension_shows_on_the_next_visit(client, award):
    client.get(url(award))
    issuer = award.programme_version.programme.issuer
    suspend_award(actor=officer_of(issuer), award=award, reason="調査中のため")
    assert "一時停止" in client.get(url(award)).content.decode()


def test_hiding_the_page_answers_404_at_once(client, award):
    assert client.get(url(award)).status_code == 200
    set_public_page_visibility(learner=award.learner, award=award, visible=False)
    assert client.get(url(award)).status_code == 404


def test_the_learner_gets_their_own_page_not_the_kept_one(client, award):
    anonymous = client.get(url(award)).content.decode()
    assert "ウォレットに追加" not in anonymous
    session = client.session
    session[LEARNER_SESSION_KEY] = award.learner_id
    session.save()
    own = client.get(url(award)).content.decode()
    assert "ウォレットに追加" in own
    client.cookies.clear()
    assert "ウォレットに追加" not in client.get(url(award)).content.decode()
