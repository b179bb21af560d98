"""Celery tasks of issuers: webhook delivery."""

from celery import shared_task

from . import webhooks


@shared_task(
    name="issuers.deliver_webhook",
    acks_late=True,
    # Receivers that are down or overloaded get time to recover: 30 s, 60 s, … up to 1 h
    # between attempts (jittered so that many deliveries don't return at the same moment).
    autoretry_for=(webhooks.RetryableDeliveryError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
    serializer="json",
)
def deliver_webhook(delivery_pk: int) -> int | None:
    return webhooks.deliver(delivery_pk).last_status_code


@shared_task(name="issuers.requeue_unsent_webhooks", acks_late=True, serializer="json")
def requeue_unsent_webhooks() -> int:
    return webhooks.requeue_unsent()
