"""Celery tasks credentials dispatches by name after an award commits. They take primary keys
(JSON arguments) and are retried on database hiccups; the services are idempotent, so a
redelivered task (acks_late) repeats nothing."""

from celery import shared_task
from django.db import OperationalError

from badges import services

_RETRY = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
    "serializer": "json",
}


@shared_task(name="badges.issue_award_badges", **_RETRY)
def issue_award_badges(award_pk: int) -> int | None:
    record = services.issue_badges_for_award(award_pk)
    return record.pk if record else None


@shared_task(name="badges.revoke_award_badges", **_RETRY)
def revoke_award_badges(award_pk: int) -> int | None:
    record = services.revoke_badges_for_award(award_pk)
    return record.pk if record else None
