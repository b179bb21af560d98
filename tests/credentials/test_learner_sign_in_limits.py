"""Learner sign-in does not tell which e-mail addresses exist: the request does the same work
for every address (the mail goes from a Celery task queued after commit), and the per-address
and per-e-mail rate limits answer alike for known and unknown addresses."""

import re

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.celery_app import app
from credentials.models import LearnerLoginToken
from credentials.services.learner_access import SEND_SIGN_IN_LINK_TASK
from tests.credentials.factories import LearnerFactory

SIGN_IN = "/learner/sign-in/"
KNOWN = "hanako.yamada@example.ac.jp"
UNKNOWN = "nobody@example.ac.jp"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def learner(db):
    return LearnerFactory(email=KNOWN)


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        merged = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": merged}

    return set_rates


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def _request(client, django_capture_on_commit_callbacks, email, **extra):
    """POST the form; return (response, the SQL run in the request, the queued callbacks)."""
    with CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(SIGN_IN, {"email": email}, **extra)
    # Savepoint names carry a counter: compare the statements without it.
    sql = [re.sub(r'"s\d+_x\d+"', '"sp"', query["sql"]) for query in queries.captured_queries]
    return response, sql, callbacks


def test_the_request_does_the_same_work_for_known_and_unknown_addresses(
    client, learner, django_capture_on_commit_callbacks
):
    known, known_sql, known_queued = _request(client, django_capture_on_commit_callbacks, KNOWN)
    unknown, unknown_sql, unknown_queued = _request(
        client, django_capture_on_commit_callbacks, UNKNOWN
    )
    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.content.decode()) == _without_csrf(unknown.content.decode())
    # No learner lookup, no token, no mail inside the request: the same SQL (none on learners).
    assert known_sql == unknown_sql
    assert not any("credentials_learner" in sql for sql in known_sql)
    assert mail.outbox == [] and not LearnerLoginToken.objects.exists()
    assert len(known_queued) == len(unknown_queued) == 1


def test_the_queued_task_sends_the_link_only_to_a_known_address(
    client, learner, django_capture_on_commit_callbacks
):
    assert app.tasks[SEND_SIGN_IN_LINK_TASK]
    assert django_settings.CELERY_TASK_ROUTES[SEND_SIGN_IN_LINK_TASK]["queue"].endswith("mail")
    for email in ("Hanako.Yamada@Example.ac.jp", UNKNOWN):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(SIGN_IN, {"email": email})
    assert [message.to for message in mail.outbox] == [[KNOWN]]
    assert LearnerLoginToken.objects.filter(learner=learner).count() == 1


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ja", "サインインリンクの請求が多すぎます"),
        ("en", "Too many sign-in links were requested. Please wait 60 minutes"),
    ],
)
def test_the_per_email_limit_answers_alike_for_known_and_unknown_addresses(
    client, learner, rates, django_capture_on_commit_callbacks, language, message
):
    rates(sign_in_email="2/hour")
    pages = {}
    for email in (KNOWN, UNKNOWN):
        statuses = [
            _request(
                client, django_capture_on_commit_callbacks, email, HTTP_ACCEPT_LANGUAGE=language
            )[0].status_code
            for _ in range(2)
        ]
        assert statuses == [200, 200]
        refused, _sql, queued = _request(
            client, django_capture_on_commit_callbacks, email, HTTP_ACCEPT_LANGUAGE=language
        )
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert queued == []  # nothing is sent past the limit
        pages[email] = _without_csrf(refused.content.decode())
        assert message in pages[email]
        assert email.lower() in pages[email]  # what was typed stays in the form
    assert pages[KNOWN].replace(KNOWN, "") == pages[UNKNOWN].replace(UNKNOWN, "")


def test_the_per_address_limit_counts_every_e_mail_from_one_client(
    client, rates, db, django_capture_on_commit_callbacks
):
    rates(sign_in_address="3/hour")
    statuses = [
        _request(client, django_capture_on_commit_callbacks, f"l{n}@example.ac.jp")[0].status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    # A rotated X-Forwarded-For is no other client (NUM_PROXIES is 0); another peer is.
    rotated = _request(
        client,
        django_capture_on_commit_callbacks,
        "l9@example.ac.jp",
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )[0]
    assert rotated.status_code == 429
    other = _request(
        client, django_capture_on_commit_callbacks, "l9@example.ac.jp", REMOTE_ADDR="192.0.2.8"
    )[0]
    assert other.status_code == 200
