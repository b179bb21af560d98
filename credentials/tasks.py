"""The record's own Celery tasks: learner notification and sign-in mail (on the `mail` queue)
and the daily purge of spent sign-in links."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from credentials.services import learner_access, notices, notifications


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


@shared_task(
    name=learner_access.SEND_SIGN_IN_LINK_TASK,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
    serializer="json",
    soft_time_limit=60,
    time_limit=90,
)
def send_sign_in_link(email: str) -> bool:
    return learner_access.send_sign_in_link(email)


@shared_task(
    name=notices.SEND_NOTICE_TASK,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
    serializer="json",
)
def send_award_notice(notice_pk: int) -> bool:
    return notices.send_award_notice(notice_pk)


@shared_task(name="credentials.purge_sign_in_tokens", acks_late=True, serializer="json")
def purge_sign_in_tokens() -> int:
    return learner_access.purge_spent_sign_in_tokens()
