"""The learner's side: magic-link sign-in, the awards from every issuer, page privacy, the ZIP."""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from badges.baking import unbake
from badges.services import issue_badges_for_award
from credentials.models import Award, LearnerLoginToken
from credentials.services.learner_access import (
    MAX_LINKS_PER_HOUR,
    send_sign_in_link,
    set_public_page_visibility,
)
from issuers.models import AuditEvent
from tests.badges.ob2_world import make_issuer, make_version
from tests.credentials.factories import AwardFactory, LearnerFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded

pytestmark = pytest.mark.django_db
SIGN_IN = "/learner/sign-in/"
EMAIL = "hanako.yamada@example.ac.jp"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.PORTAL_BASE_URL = "https://portal.example.jp"


@pytest.fixture
def learner():
    return LearnerFactory(email=EMAIL, name_ja="山田 花子", name_en="Hanako Yamada")


def issued(learner, issuer_slug: str, programme_slug: str) -> Award:
    ensure_frameworks_loaded()
    version = make_version(make_issuer(slug=issuer_slug), programme__slug=programme_slug)
    now = timezone.now()
    award = AwardFactory(
        issued=True,
        assessment__programme_version=version,
        assessment__learner=learner,
        issued_at=now - datetime.timedelta(minutes=5),
        expires_at=now + datetime.timedelta(days=365),
    )
    issue_badges_for_award(award.pk)
    return Award.objects.get(pk=award.pk)


def link_from_mail(message) -> str:
    found = re.search(r"https?://\S+/learner/sign-in/[A-Za-z0-9_-]+/", message.body)
    assert found, message.body
    return found.group(0)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the sign-in rate limits count in the cache
    yield
    cache.clear()


def request_link(client, email=EMAIL, status=200):
    # The mail is sent by a task queued after commit, which a test transaction never reaches.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(SIGN_IN, {"email": email})
    assert response.status_code == status
    return response


def sign_in(client, learner) -> None:
    mail.outbox.clear()
    request_link(client, learner.email)
    path = link_from_mail(mail.outbox[-1]).split("portal.example.jp", 1)[1]
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/learner/"


def test_mail_only_for_a_known_address_and_the_same_answer_for_both(client, learner):
    known = request_link(client, "Hanako.Yamada@example.ac.jp").content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    # Both languages in one mail.
    assert "サインイン" in message.body and "sign in" in message.body
    assert "/learner/sign-in/" in link_from_mail(message)
    unknown = request_link(client, "nobody@example.ac.jp").content.decode()
    assert len(mail.outbox) == 1
    strip = lambda page: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)  # noqa: E731
    assert strip(known) == strip(unknown)
    # Only the hash is stored.
    token = link_from_mail(message).rstrip("/").rsplit("/", 1)[1]
    stored = LearnerLoginToken.objects.get()
    assert token not in stored.token_hash and len(stored.token_hash) == 64


def test_token_is_single_use(client, learner):
    request_link(client)
    path = link_from_mail(mail.outbox[0]).split("portal.example.jp", 1)[1]
    assert client.get(path).status_code == 200  # a prefetching mail scanner spends nothing
    response = client.post(path)
    assert response.status_code == 302
    assert client.session["learner_id"] == learner.pk
    assert AuditEvent.objects.filter(action="learner.sign_in").exists()
    other = type(client)()
    assert other.post(path).status_code == 400
    assert "learner_id" not in other.session


def test_expired_token_is_refused(client, learner):
    request_link(client)
    path = link_from_mail(mail.outbox[0]).split("portal.example.jp", 1)[1]
    LearnerLoginToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.post(path).status_code == 400
    assert "learner_id" not in client.session
    assert client.get("/learner/").status_code == 302


def test_tampered_token_is_refused(client, learner):
    request_link(client)
    path = link_from_mail(mail.outbox[0]).split("portal.example.jp", 1)[1]
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.post(f"/learner/sign-in/{tampered}/").status_code == 400
    assert "learner_id" not in client.session


def test_the_mail_task_sends_at_most_so_many_links_an_hour(learner, settings):
    for _ in range(MAX_LINKS_PER_HOUR + 2):
        send_sign_in_link(EMAIL)
    assert len(mail.outbox) == MAX_LINKS_PER_HOUR
    assert LearnerLoginToken.objects.count() == MAX_LINKS_PER_HOUR


def test_area_lists_awards_of_two_issuers(client, learner):
    first = issued(learner, "minato-u", "data-science")
    second = issued(learner, "kita-society", "ai-ethics")
    assert client.get("/learner/").status_code == 302  # not signed in
    sign_in(client, learner)
    response = client.get("/learner/")
    page = response.content.decode()
    assert response.status_code == 200
    for award in (first, second):
        assert award.programme_version.title in page
        assert award.programme_version.programme.issuer.name_ja in page
        assert reverse("badges:credential-page", kwargs={"public_id": award.public_id}) in page
        baked = reverse(
            "badges:baked-image", kwargs={"public_id": award.public_id, "variant": "ob3.png"}
        )
        assert baked in page
    assert page.count('data-status="valid"') == 2


def test_hidden_page_is_404_to_others_and_shown_to_the_owner(client, learner):
    award = issued(learner, "minato-u", "data-science")
    page = reverse("badges:credential-page", kwargs={"public_id": award.public_id})
    sign_in(client, learner)
    response = client.post(
        f"/learner/awards/{award.public_id}/visibility/", {"visible": "0"}, follow=True
    )
    assert response.status_code == 200
    award.refresh_from_db()
    assert award.public_page_visible is False
    assert AuditEvent.objects.filter(
        action="award.public_page_visibility", details__learner=EMAIL
    ).exists()
    anonymous = type(client)()
    assert anonymous.get(page).status_code == 404
    # The badge stays verifiable: its OB URLs still answer.
    ob3 = reverse("badges:ob3-credential", kwargs={"public_id": award.public_id})
    assert anonymous.get(ob3).status_code == 200
    owner = client.get(page)
    assert owner.status_code == 200
    assert "あなただけが" in owner.content.decode()
    client.post(f"/learner/awards/{award.public_id}/visibility/", {"visible": "1"})
    assert anonymous.get(page).status_code == 200


def test_another_learner_cannot_toggle(client, learner):
    award = issued(learner, "minato-u", "data-science")
    intruder = LearnerFactory(email="intruder@example.ac.jp")
    sign_in(client, intruder)
    response = client.post(f"/learner/awards/{award.public_id}/visibility/", {"visible": "0"})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        set_public_page_visibility(learner=intruder, award=award, visible=False)
    award.refresh_from_db()
    assert award.public_page_visible is True


def test_zip_holds_every_file_and_the_png_unbakes(client, learner):
    first = issued(learner, "minato-u", "data-science")
    second = issued(learner, "kita-society", "ai-ethics")
    sign_in(client, learner)
    response = client.get("/learner/credentials.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = bundle.namelist()
    assert all(name.isascii() for name in names)
    expected = {
        "ob3.png",
        "ob3.svg",
        "ob2.png",
        "ob2.svg",
        "ob3-credential.json",
        "ob2-assertion.json",
    }
    for award in (first, second):
        mine = {n.split("/", 1)[1] for n in names if str(award.public_id)[:8] in n.split("/")[0]}
        assert mine == expected
        folder = next(n.split("/")[0] for n in names if str(award.public_id)[:8] in n)
        baked = unbake(bundle.read(f"{folder}/ob3.png"))
        record = award.badge_record
        credential = json.loads(bundle.read(f"{folder}/ob3-credential.json"))
        assert credential == record.ob3_credential
        assert [json.loads(b.payload) for b in baked if b.kind == "json"] == [credential]
        assert json.loads(bundle.read(f"{folder}/ob2-assertion.json")) == record.ob2_assertion


def test_sign_out_ends_the_learner_session(client, learner):
    sign_in(client, learner)
    assert client.get("/learner/").status_code == 200
    assert client.get("/learner/sign-out/").status_code == 405  # POST only
    response = client.post("/learner/sign-out/")
    assert response.status_code == 302
    assert "learner_id" not in client.session
    assert client.get("/learner/").status_code == 302
