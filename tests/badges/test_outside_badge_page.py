"""The learner's outside-badge page (recognition of prior learning): only for a signed-in
learner; what is not a badge gets a bilingual reason and keeps what was pasted; it fetches the
URLs it is given, so it is rate limited per address like the verify page. (Real badges from an
outside issuer, end to end: tests/interop/test_recognition_across_institutions.py.)"""

import pytest
from django.core.cache import cache

from credentials.models import RecognisedAchievement
from credentials.services.learner_access import LEARNER_SESSION_KEY
from tests.credentials.factories import LearnerFactory

pytestmark = pytest.mark.django_db
URL = "/learner/outside-badges/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def learner_client(client):
    learner = LearnerFactory(email="kenta@example.ac.jp")
    session = client.session
    session[LEARNER_SESSION_KEY] = learner.pk
    session.save()
    return client


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/learner/sign-in/" in response["Location"]


def test_something_that_is_not_a_badge_is_refused_with_the_reason_and_kept(learner_client):
    response = learner_client.post(URL, {"badge": '{"hello": "world"}'})
    assert response.status_code == 400
    page = response.content.decode()
    assert "検証に合格しなかった" in page and "did not verify" in page
    assert response.context["form"]["badge"].value() == '{"hello": "world"}'
    assert not RecognisedAchievement.objects.exists()


def test_the_page_is_rate_limited_per_address(learner_client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "verify": "1/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    assert learner_client.post(URL, {"badge": "{}"}).status_code == 400
    refused = learner_client.post(URL, {"badge": "{}"})
    assert refused.status_code == 429
    assert "検証の回数が多すぎます" in refused.content.decode()
    assert learner_client.get(URL).status_code == 200
