"""Celery tasks. They take primary keys (JSON arguments) and are retried with backoff on
database and broker hiccups; the services are idempotent, so a redelivered task (acks_late)
repeats nothing. Queues (config.settings: CELERY_TASK_ROUTES): chunk signing on `signing`,
baking on `baking`, the rest on the default queue."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from badges import batches, services

_RETRY = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError, BrokerError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
    "serializer": "json",
}
# A chunk takes seconds; the limits stop a stuck one, the sweep re-queues it.
_CHUNK = {**_RETRY, "soft_time_limit": 240, "time_limit": 300}


@shared_task(name="badges.issue_award_badges", **_RETRY)
def issue_award_badges(award_pk: int) -> int | None:
    record = services.issue_badges_for_award(award_pk)
    return record.pk if record else None


@shared_task(name="badges.revoke_award_badges", **_RETRY)
def revoke_award_badges(award_pk: int) -> int | None:
    record = services.revoke_badges_for_award(award_pk)
    return record.pk if record else None


@shared_task(name="badges.set_award_suspension", **_RETRY)
def set_award_suspension(award_pk: int) -> int | None:
    record = services.set_suspension_for_award(award_pk)
    return record.pk if record else None


@shared_task(name="badges.run_batch", **_RETRY)
def run_batch(batch_pk: int) -> None:
    batches.run_batch(batch_pk)


@shared_task(name="badges.sign_batch_chunk", **_CHUNK)
def sign_batch_chunk(batch_pk: int, number: int) -> int:
    return batches.sign_chunk(batch_pk, number)


@shared_task(name="badges.bake_batch_chunk", **_CHUNK)
def bake_batch_chunk(batch_pk: int, number: int) -> int:
    return batches.bake_chunk(batch_pk, number)


@shared_task(name="badges.sweep_batches", **_RETRY)
def sweep_batches() -> dict:
    return batches.sweep()


@shared_task(name="badges.recheck_outside_achievements", **_RETRY)
def recheck_outside_achievements() -> dict:
    """Daily: registered outside badges verified again (badges.recognition)."""
    from badges import recognition

    return recognition.recheck_outside_achievements()
