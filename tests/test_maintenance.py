"""Periodic maintenance that beat runs: lost webhook deliveries are queued again, spent
sign-in links are purged, registered outside badges are verified again (tested in
tests/interop/test_recognition_across_institutions.py)."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from credentials.models import LearnerLoginToken
from credentials.services.learner_access import purge_spent_sign_in_tokens
from issuers import webhooks
from issuers.models import WebhookDelivery, WebhookEndpoint
from tests.credentials.factories import LearnerFactory
from tests.issuers.factories import IssuerFactory

pytestmark = pytest.mark.django_db


def test_beat_runs_every_maintenance_task():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "badges.sweep_batches",
        "issuers.requeue_unsent_webhooks",
        "credentials.purge_sign_in_tokens",
        "badges.recheck_outside_achievements",
    }
    from config.celery_app import app

    assert scheduled <= set(app.tasks)


def _delivery(endpoint, *, age_minutes, attempts=0, delivered=False):
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="award.issued", payload={"id": "x"}, attempts=attempts
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=age_minutes),
        delivered_at=timezone.now() if delivered else None,
    )
    return delivery


def test_only_deliveries_never_attempted_are_queued_again(monkeypatch):
    endpoint = WebhookEndpoint.objects.create(
        issuer=IssuerFactory(), url="https://hooks.example.org/mc", events=["award.issued"]
    )
    lost = _delivery(endpoint, age_minutes=30)
    _delivery(endpoint, age_minutes=1)  # just recorded: its task may still be on its way
    _delivery(endpoint, age_minutes=30, attempts=2)  # in its retry cycle
    _delivery(endpoint, age_minutes=30, attempts=1, delivered=True)
    _delivery(endpoint, age_minutes=60 * 24 * 4)  # too old to be worth sending now
    queued = []
    monkeypatch.setattr(webhooks, "_enqueue", queued.append)
    assert webhooks.requeue_unsent() == 1
    assert queued == [lost.pk]


def test_spent_and_expired_sign_in_links_are_purged_after_a_day():
    learner = LearnerFactory()
    now = timezone.now()
    day = datetime.timedelta(days=1)

    def token(name, **fields):
        fields.setdefault("expires_at", now + day)
        return LearnerLoginToken.objects.create(
            learner=learner, token_hash=name.ljust(64, "0"), **fields
        )

    fresh = token("a")
    token("b", created_at=now - 3 * day, expires_at=now - 2 * day)
    token("c", used_at=now - 2 * day)
    recently_used = token("d", used_at=now - datetime.timedelta(hours=2))
    assert purge_spent_sign_in_tokens() == 2
    assert set(LearnerLoginToken.objects.all()) == {fresh, recently_used}
