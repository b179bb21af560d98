"""Webhooks: tell an issuer's systems (LMS, CRM) when its awards are issued or revoked.

`emit` records one WebhookDelivery per subscribed endpoint and queues the Celery task
"issuers.deliver_webhook" after the transaction commits (a rolled-back award is never
announced). `deliver` makes one attempt; the task retries network errors, 429 and 5xx with
exponential backoff.

Every request is signed: `X-MC-Portal-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<body>" under the endpoint's secret>`. Receivers recompute it and reject old timestamps
(replays); `verify_signature` is the reference implementation.

The target URL is chosen by the issuer, so it is checked by the same address policy as badges'
SafeFetcher (issuers.netpolicy, against SSRF): https only, every resolved address public unicast,
checked again at each delivery, and the connection goes to the address checked (no DNS
rebinding); redirects are not followed. Loopback http is allowed only with
settings.WEBHOOKS_ALLOW_LOOPBACK (tests).
"""

import datetime
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import netpolicy
from .models import Issuer, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .permissions import Action
from .services import record_audit, require_permission

logger = logging.getLogger(__name__)

EVENTS = tuple(WebhookEvent.values)
SIGNATURE_HEADER = "X-MC-Portal-Signature"
SIGNATURE_TOLERANCE = 300  # seconds a receiver should accept a timestamp for
TIMEOUT = urllib3.Timeout(connect=5, read=10)
USER_AGENT = "MC-Portal-Webhooks/1.0"


class RefusedTarget(Exception):
    """The URL may not be contacted (scheme, or an internal address): never retried."""


class RetryableDeliveryError(Exception):
    """A network error, 429 or 5xx: worth another attempt later."""


def allow_loopback() -> bool:
    return getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False)


def resolve_target(url: str) -> tuple[str, str, int]:
    """(host name, checked IP address, port) of a webhook URL, or RefusedTarget."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedTarget(_("The URL is not well-formed.")) from error
    host = parts.hostname
    if not host or parts.username or parts.password:
        raise RefusedTarget(_("The URL is not well-formed."))
    if parts.scheme != "https" and not (parts.scheme == "http" and allow_loopback()):
        raise RefusedTarget(_("Webhook URLs must use https."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        # The verifier's policy (issuers.netpolicy): ANY internal address refuses the host.
        addresses = netpolicy.resolve_allowed(host, port, allow_loopback=allow_loopback())
    except netpolicy.UnresolvableHost as error:
        raise RefusedTarget(_("The host name could not be resolved.")) from error
    except netpolicy.AddressRefused as error:
        raise RefusedTarget(
            _("Webhooks cannot be sent to internal or reserved addresses.")
        ) from error
    return host, str(addresses[0]), port


def check_url(url: str) -> None:
    """For forms and serializers: a ValidationError if the URL may not receive webhooks."""
    try:
        resolve_target(url)
    except RefusedTarget as error:
        raise ValidationError({"url": [str(error)]}) from error


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(secret: str, header: str, body: bytes, *, now: float | None = None) -> bool:
    """What a receiver does: recompute the HMAC and refuse stale timestamps."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (ValueError, KeyError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > SIGNATURE_TOLERANCE:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


# --- registration (services) -------------------------------------------------------------


def _check_events(events) -> list[str]:
    events = list(dict.fromkeys(events or []))
    unknown = [event for event in events if event not in EVENTS]
    if unknown or not events:
        raise ValidationError(
            {"events": [_("Choose events from: %(events)s.") % {"events": ", ".join(EVENTS)}]}
        )
    return events


@transaction.atomic
def register_endpoint(
    *, actor, issuer: Issuer, url: str, events, request=None
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (returned here; shown to the issuer once)."""
    if actor is not None:
        require_permission(actor, issuer, Action.MANAGE_STAFF)
    events = _check_events(events)
    check_url(url)
    secret = f"whsec_{secrets.token_hex(24)}"
    endpoint = WebhookEndpoint(issuer=issuer, url=url, secret=secret, events=events)
    endpoint.full_clean()
    endpoint.save()
    record_audit(
        actor=actor,
        action="webhook.register",
        target=endpoint,
        issuer=issuer,
        details={"url": url, "events": events},
        request=request,
    )
    return endpoint, secret


@transaction.atomic
def delete_endpoint(*, actor, endpoint: WebhookEndpoint, request=None) -> None:
    if actor is not None:
        require_permission(actor, endpoint.issuer, Action.MANAGE_STAFF)
    record_audit(
        actor=actor,
        action="webhook.delete",
        target=endpoint,
        issuer=endpoint.issuer,
        details={"url": endpoint.url},
        request=request,
    )
    endpoint.delete()


# --- events and delivery -----------------------------------------------------------------


def emit(issuer: Issuer, event: str, payload: dict) -> list[WebhookDelivery]:
    """Record `event` for every active endpoint of `issuer` that subscribed to it, and queue
    their delivery once the surrounding transaction commits."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    envelope = {
        "id": str(uuid.uuid4()),  # receivers de-duplicate retries by this id
        "type": event,
        "created_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "issuer": issuer.slug,
        "data": json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
    }
    deliveries = [
        WebhookDelivery.objects.create(endpoint=endpoint, event=event, payload=envelope)
        for endpoint in issuer.webhook_endpoints.filter(is_active=True)
        if event in endpoint.events
    ]
    for delivery in deliveries:
        # robust: the award is committed by now; a broker outage must not fail its request
        # (the delivery stays in the log, undelivered, with attempts 0).
        transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk), robust=True)
    return deliveries


def requeue_unsent(older_than: datetime.timedelta = datetime.timedelta(minutes=5)) -> int:
    """Queue again the deliveries never attempted (their message was lost: broker down when the
    event was recorded, or restarted since), from the last three days. Beat runs it."""
    now = timezone.now()
    unsent = list(
        WebhookDelivery.objects.filter(
            attempts=0,
            delivered_at__isnull=True,
            endpoint__is_active=True,
            created_at__lt=now - older_than,
            created_at__gt=now - datetime.timedelta(days=3),
        ).values_list("pk", flat=True)
    )
    for delivery_pk in unsent:
        _enqueue(delivery_pk)
    return len(unsent)


def _enqueue(delivery_pk: int) -> None:
    from .tasks import deliver_webhook  # tasks imports this module

    deliver_webhook.delay(delivery_pk)


def _post(url: str, body: bytes, headers: dict) -> int:
    host, address, port = resolve_target(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        # Connect to the checked address; SNI and the certificate check still use the name.
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=TIMEOUT,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=TIMEOUT, retries=False)
    with pool:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": parts.netloc.rsplit("@", 1)[-1]},
            redirect=False,  # a redirect could point anywhere: not followed
            preload_content=False,
        )
        response.read(64 * 1024, decode_content=False)  # a little, then drop the connection
        response.release_conn()
        return response.status


def deliver(delivery_pk: int) -> WebhookDelivery:
    """One attempt. Logs the outcome on the delivery; RetryableDeliveryError asks for another."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_pk)
    endpoint = delivery.endpoint
    if delivery.delivered_at is not None or not endpoint.is_active:
        return delivery
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-MC-Portal-Event": delivery.event,
        "X-MC-Portal-Delivery": str(delivery.payload.get("id", delivery.pk)),
        SIGNATURE_HEADER: sign(endpoint.secret, body),
    }
    delivery.attempts += 1
    retry = None
    try:
        status = _post(endpoint.url, body, headers)
    except RefusedTarget as error:
        delivery.last_status_code, delivery.last_error = None, str(error)
    except (urllib3.exceptions.HTTPError, OSError) as error:
        delivery.last_status_code, delivery.last_error = None, f"{type(error).__name__}: {error}"
        retry = delivery.last_error
    else:
        delivery.last_status_code = status
        delivery.last_error = "" if 200 <= status < 300 else f"HTTP {status}"
        if 200 <= status < 300:
            delivery.delivered_at = timezone.now()
        elif status == 429 or status >= 500:
            retry = delivery.last_error
    delivery.save(update_fields=["attempts", "last_status_code", "last_error", "delivered_at"])
    logger.info(
        "Webhook %s %s to %s, attempt %s: %s",
        delivery.pk,
        delivery.event,
        endpoint.url,
        delivery.attempts,
        delivery.last_error or delivery.last_status_code,
    )
    if retry:
        raise RetryableDeliveryError(retry)
    return delivery
