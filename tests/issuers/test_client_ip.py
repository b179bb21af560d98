"""issuers.client_ip: X-Forwarded-For counts only as far as settings.NUM_PROXIES trusts it."""

import pytest

from issuers.client_ip import client_ip
from issuers.services import audit_event
from tests.issuers.factories import IssuerFactory


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "203.0.113.9"),
        (0, "198.51.100.1", "203.0.113.9"),  # no proxy: the header is the client's own words
        (1, None, "203.0.113.9"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the right-most hop is our proxy's
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.5", "198.51.100.1"),
        (2, "198.51.100.1", "198.51.100.1"),  # fewer hops than proxies: the left-most
        (1, "6.6.6.6, not-an-address", "203.0.113.9"),
        (1, "6.6.6.6, 2001:DB8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_the_nth_hop_from_the_right(
    rf, settings, proxies, forwarded, expected
):
    settings.NUM_PROXIES = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    assert client_ip(rf.get("/", REMOTE_ADDR="203.0.113.9", **headers)) == expected


def test_audit_events_record_the_same_address(rf, settings, db):
    settings.NUM_PROXIES = 1
    request = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1")
    issuer = IssuerFactory()
    event = audit_event(actor=None, action="test", target=issuer, request=request)
    assert event.ip_address == "198.51.100.1"
    settings.NUM_PROXIES = 0
    event = audit_event(actor=None, action="test", target=issuer, request=request)
    assert event.ip_address == "10.0.0.2"


def test_the_default_trusts_no_proxy():
    from django.conf import settings

    assert settings.NUM_PROXIES == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
