"""The record's own Celery task: learner notification mail, on the `mail` queue."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from credentials.services import notifications


@shared_task(
    name="credentials.notify_batch_chunk",
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
    serializer="json",
    soft_time_limit=240,
    time_limit=300,
)
def notify_batch_chunk(batch_pk: int, number: int) -> int:
    return notifications.notify_batch_chunk(batch_pk, number)
