"""Webhooks end to end: a real HTTP receiver on loopback (http.server in a thread) gets signed
deliveries from the Celery task (eager in tests, retries included), verifies the signature with
its own HMAC code, and the SSRF rules and issuer isolation hold."""

import hashlib
import hmac
import http.server
import json
import socket
import threading
import time

import pytest
from celery.utils.time import get_exponential_backoff_interval
from django.core.exceptions import ValidationError

from badges.services import issue_badges_for_award
from issuers import webhooks
from issuers.models import WebhookDelivery, WebhookEndpoint
from issuers.tasks import deliver_webhook
from tests.api.conftest import assert_problem
from tests.credentials.factories import AssessmentFactory, AwardFactory

pytestmark = pytest.mark.django_db


class Receiver:
    """Answers POSTs with the scripted status codes (then 200) and keeps what it received."""

    def __init__(self):
        self.statuses: list[int] = []
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/mc?src=portal"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def eager_retries(monkeypatch):
    # Eager tasks re-run their retries in-process only when errors don't propagate.
    monkeypatch.setitem(deliver_webhook.app.conf, "task_eager_propagates", False)


def receiver_verifies(secret: str, headers: dict, body: bytes) -> bool:
    # Written as an integrator would, from the documented format, not with issuers.webhooks.
    fields = dict(part.split("=", 1) for part in headers["x-mc-portal-signature"].split(","))
    mac = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256)
    fresh = abs(time.time() - int(fields["t"])) < 300
    return fresh and hmac.compare_digest(mac.hexdigest(), fields["v1"])


def test_issue_and_revoke_are_delivered_signed_with_the_award(
    receiver, api_a, version_a, learner_a, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example.ac.jp"
    response = api_a.post(
        "/api/v1/webhooks/", {"url": receiver.url, "events": ["award.issued", "award.revoked"]}
    )
    assert response.status_code == 201, response.content
    secret = response.json()["secret"]
    assert secret.startswith("whsec_")
    assert "secret" not in api_a.get("/api/v1/webhooks/").json()[0]  # shown once

    award = AwardFactory(
        assessment=AssessmentFactory(learner=learner_a, programme_version=version_a), issued=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        issue_badges_for_award(award.pk)  # the badges pipeline emits award.issued at its end
    with django_capture_on_commit_callbacks(execute=True):
        revoked = api_a.post(f"/api/v1/awards/{award.public_id}/revoke/", {"reason": "不正"})
    assert revoked.status_code == 200, revoked.content

    assert len(receiver.requests) == 2
    (issued_headers, issued_body), (_, revoked_body) = receiver.requests
    for headers, body in receiver.requests:
        assert receiver_verifies(secret, headers, body)
        assert webhooks.verify_signature(secret, headers["x-mc-portal-signature"], body)
        assert not receiver_verifies(secret, headers, body + b" ")  # tampering is detected
        assert not receiver_verifies("whsec_other", headers, body)
        assert headers["content-type"] == "application/json"
    issued, revoked = json.loads(issued_body), json.loads(revoked_body)
    assert (issued["type"], revoked["type"]) == ("award.issued", "award.revoked")
    assert issued_headers["x-mc-portal-event"] == "award.issued"
    assert issued_headers["x-mc-portal-delivery"] == issued["id"] != revoked["id"]
    assert issued["issuer"] == "univ-a" and issued["created_at"].endswith("Z")
    data = issued["data"]
    assert data["id"] == str(award.public_id) and data["status"] == "issued"
    assert data["program_slug"] == "ds-a" and data["learner"]["email"] == "hanako@example.ac.jp"
    assert data["links"]["ob3_credential"] == (
        f"https://portal.example.ac.jp/ob3/credentials/{award.public_id}"
    )
    assert revoked["data"]["status"] == "revoked"
    assert revoked["data"]["revocation_reason"] == "不正"
    log = WebhookDelivery.objects.order_by("id")
    assert [(d.event, d.attempts, d.last_status_code) for d in log] == [
        ("award.issued", 1, 200),
        ("award.revoked", 1, 200),
    ]
    assert all(d.delivered_at for d in log)


def test_a_failing_receiver_is_retried_with_backoff_until_it_accepts(
    receiver, eager_retries, issuer_a, django_capture_on_commit_callbacks
):
    webhooks.register_endpoint(
        actor=None, issuer=issuer_a, url=receiver.url, events=["award.issued"]
    )
    receiver.statuses = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = webhooks.emit(issuer_a, "award.issued", {"id": "x"})
    delivery.refresh_from_db()
    # The eager task retried twice (Celery autoretry) and the third attempt was accepted.
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (3, 200, "")
    assert delivery.delivered_at is not None
    ids = {headers["x-mc-portal-delivery"] for headers, _body in receiver.requests}
    assert len(receiver.requests) == 3 and len(ids) == 1  # the same event, re-sent
    # Backoff between attempts doubles from 30 s, capped at an hour, at most 8 retries.
    assert (deliver_webhook.max_retries, deliver_webhook.retry_backoff) == (8, 30)
    waits = [
        get_exponential_backoff_interval(
            factor=deliver_webhook.retry_backoff,
            retries=n,
            maximum=deliver_webhook.retry_backoff_max,
            full_jitter=False,
        )
        for n in range(9)
    ]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_4xx_is_logged_and_not_retried(receiver, issuer_a, django_capture_on_commit_callbacks):
    webhooks.register_endpoint(
        actor=None, issuer=issuer_a, url=receiver.url, events=["award.revoked"]
    )
    receiver.statuses = [410]
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = webhooks.emit(issuer_a, "award.revoked", {"id": "x"})
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        1,
        410,
        "HTTP 410",
    )
    assert delivery.delivered_at is None


def test_network_errors_are_retried_then_given_up(settings, eager_retries, issuer_a):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    # A port nobody listens on: connection refused on every attempt.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint, _ = webhooks.register_endpoint(
        actor=None, issuer=issuer_a, url=f"http://127.0.0.1:{port}/", events=["award.issued"]
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="award.issued", payload={})
    result = deliver_webhook.apply(args=[delivery.pk])
    assert result.state == "FAILURE"
    assert isinstance(result.result, webhooks.RetryableDeliveryError)
    delivery.refresh_from_db()
    assert delivery.attempts == 9  # the first try and 8 retries
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("https://127.0.0.1/hook", False),
        ("http://localhost:8000/hook", False),
        ("https://10.1.2.3/hook", True),
        ("https://192.168.0.10/hook", True),
        ("https://169.254.169.254/latest/meta-data", True),
        ("https://[::ffff:10.0.0.1]/hook", True),
        ("https://100.64.0.1/hook", True),
        ("http://93.184.216.10/hook", False),  # public, but not https
        ("ftp://example.com/hook", True),
    ],
)
def test_internal_or_insecure_targets_are_refused(settings, issuer_a, url, loopback):
    settings.WEBHOOKS_ALLOW_LOOPBACK = loopback
    with pytest.raises(ValidationError):
        webhooks.register_endpoint(actor=None, issuer=issuer_a, url=url, events=["award.issued"])
    assert not WebhookEndpoint.objects.exists()


def test_the_address_is_checked_again_at_delivery(receiver, issuer_a, settings):
    endpoint, _ = webhooks.register_endpoint(
        actor=None, issuer=issuer_a, url=receiver.url, events=["award.issued"]
    )
    settings.WEBHOOKS_ALLOW_LOOPBACK = False  # e.g. the name now resolves to an internal host
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="award.issued", payload={})
    webhooks.deliver(delivery.pk)  # refused targets are not retried: no exception
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.last_status_code is None
    assert delivery.last_error and delivery.delivered_at is None
    assert receiver.requests == []


def test_the_api_refuses_an_internal_url_as_a_problem(api_a):
    body = assert_problem(
        api_a.post("/api/v1/webhooks/", {"url": "https://10.0.0.1/", "events": ["award.issued"]}),
        422,
    )
    assert "url" in body["errors"]
    body = assert_problem(
        api_a.post("/api/v1/webhooks/", {"url": "https://x.example/", "events": ["nope"]}), 400
    )
    assert "events.0" in body["errors"]


def test_issuers_only_see_and_are_only_told_about_their_own(
    receiver, make_client, issuer_a, issuer_b, api_a, django_capture_on_commit_callbacks
):
    api_b = make_client(issuer_b)
    created = api_a.post("/api/v1/webhooks/", {"url": receiver.url, "events": ["award.issued"]})
    endpoint_id = created.json()["id"]
    assert api_b.get("/api/v1/webhooks/").json() == []
    assert_problem(api_b.delete(f"/api/v1/webhooks/{endpoint_id}/"), 404)
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.emit(issuer_b, "award.issued", {"id": "b"}) == []
    assert receiver.requests == []
    assert WebhookEndpoint.objects.filter(pk=endpoint_id).exists()
    assert api_a.delete(f"/api/v1/webhooks/{endpoint_id}/").status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=endpoint_id).exists()


def test_managing_webhooks_needs_its_scope(make_client, issuer_a):
    client = make_client(issuer_a, ["awards:read", "awards:write"])
    assert_problem(client.get("/api/v1/webhooks/"), 403)
    assert_problem(
        client.post("/api/v1/webhooks/", {"url": "https://x.example/", "events": ["award.issued"]}),
        403,
    )


def test_owners_manage_their_endpoints_in_the_admin(client, issuer_a, issuer_b, settings):
    from issuers.models import Role
    from tests.issuers.factories import TEST_PASSWORD, MembershipFactory

    owner = MembershipFactory(issuer=issuer_a, role=Role.OWNER, user__username="owner").user
    MembershipFactory(issuer=issuer_b, role=Role.VIEWER, user=owner)  # no say at B
    other, _ = webhooks.register_endpoint(
        actor=None, issuer=issuer_b, url="https://93.184.216.7/b", events=["award.issued"]
    )
    client.login(username=owner.username, password=TEST_PASSWORD)
    refused = client.post(
        "/admin/issuers/webhookendpoint/add/",
        {"issuer": issuer_a.pk, "url": "https://192.168.1.5/hook", "events": ["award.issued"]},
    )
    assert refused.status_code == 200 and not WebhookEndpoint.objects.filter(issuer=issuer_a)
    response = client.post(
        "/admin/issuers/webhookendpoint/add/",
        {"issuer": issuer_a.pk, "url": "https://93.184.216.9/hook", "events": ["award.revoked"]},
        follow=True,
    )
    created = WebhookEndpoint.objects.get(issuer=issuer_a)
    assert created.events == ["award.revoked"]
    messages = " ".join(str(message) for message in response.context["messages"])
    assert created.secret in messages  # shown once, on creation …
    assert (
        created.secret
        not in client.get(f"/admin/issuers/webhookendpoint/{created.pk}/change/").content.decode()
    )  # … and never again
    listing = client.get("/admin/issuers/webhookendpoint/").content.decode()
    assert "93.184.216.9" in listing and "93.184.216.7" not in listing
    assert client.get(f"/admin/issuers/webhookendpoint/{other.pk}/change/").status_code == 404
    adding_for_b = client.post(
        "/admin/issuers/webhookendpoint/add/",
        {"issuer": issuer_b.pk, "url": "https://93.184.216.8/b2", "events": ["award.issued"]},
    )
    assert adding_for_b.status_code == 200  # B is not a choice: the form is shown again
    assert WebhookEndpoint.objects.filter(issuer=issuer_b).count() == 1
