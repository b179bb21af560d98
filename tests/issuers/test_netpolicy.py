"""One address policy for every outgoing request (issuers.netpolicy): the same table of
addresses is refused or allowed by the badge verifier's fetcher and by webhook delivery,
whether the URL names the address or a host name resolves to it."""

import ipaddress
import socket

import pytest
import urllib3
from django.core.exceptions import ValidationError

from badges.verification import FetchError, SafeFetcher
from badges.verification.fetch import _Raw
from issuers import netpolicy, webhooks
from issuers.models import WebhookDelivery, WebhookEndpoint
from tests.issuers.factories import IssuerFactory

REFUSED = [
    "127.0.0.1",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # shared CGNAT
    "0.0.0.0",  # noqa: S104 (an address refused, not bound)
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",  # documentation
    "198.18.0.1",  # benchmarking
    "::1",
    "::",
    "fe80::1",
    "fec0::1",  # site-local
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "2001:db8::1",
    "100::1",  # discard-only
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::ffff:a9fe:a9fe",
    "::a00:1",  # IPv4-compatible 10.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::7f00:1",
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2002:c0a8:101::",  # 6to4 of 192.168.1.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    "2001:0:a00:1:8000:63bf:a2c7:27dd",  # Teredo, relay 10.0.0.1
]
ALLOWED = [
    "93.184.216.34",
    "8.8.8.8",
    "2606:2800:220:1::248",
    "::ffff:93.184.216.34",
    "64:ff9b::5db8:d822",  # NAT64 of 93.184.216.34
    "2002:5db8:d822::",  # 6to4 of 93.184.216.34
    "2001:0:4136:e378:8000:63bf:a247:2bcb",  # Teredo, relay 65.54.227.120, client 93.184.212.52
]


def _url(address: str) -> str:
    return f"https://[{address}]/x" if ":" in address else f"https://{address}/x"


@pytest.fixture
def no_connections(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(urllib3.HTTPConnectionPool, "urlopen", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def dns(monkeypatch):
    """dns(address): every name resolves to `address`."""

    def answer(address):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET

        def getaddrinfo(host, port, *args, **kwargs):
            return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    return answer


def test_the_table_is_about_what_it_says():
    assert ipaddress.ip_address("2001:0:4136:e378:8000:63bf:f5ff:fffe").teredo[1] == (
        ipaddress.ip_address("10.0.0.1")
    )
    assert ipaddress.ip_address("2001:0:4136:e378:8000:63bf:a247:2bcb").teredo[1] == (
        ipaddress.ip_address("93.184.212.52")
    )


@pytest.mark.parametrize("address", REFUSED)
def test_the_policy_refuses_internal_and_reserved_addresses(address):
    assert not netpolicy.is_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_the_policy_allows_public_unicast_addresses(address):
    assert netpolicy.is_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", REFUSED)
def test_the_verifier_refuses_the_address_named_or_resolved(no_connections, dns, address):
    with pytest.raises(FetchError) as named:
        SafeFetcher().get(_url(address))
    assert named.value.code == "host_not_allowed"
    dns(address)
    with pytest.raises(FetchError) as resolved:
        SafeFetcher().get("https://badges.example.org/x")
    assert resolved.value.code == "address_not_allowed"


@pytest.mark.parametrize("address", REFUSED)
def test_webhooks_refuse_the_address_named_or_resolved(db, dns, address):
    issuer = IssuerFactory()
    for url in (_url(address), "https://hooks.example.org/x"):
        dns(address)
        with pytest.raises(ValidationError):
            webhooks.register_endpoint(actor=None, issuer=issuer, url=url, events=["award.issued"])
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("address", ALLOWED)
def test_both_accept_public_addresses(db, no_connections, dns, address):
    dns(address)
    assert SafeFetcher().check_url("https://badges.example.org/x")[4] == [
        str(ipaddress.ip_address(address))
    ]
    assert webhooks.resolve_target("https://hooks.example.org/x")[1] == str(
        ipaddress.ip_address(address)
    )


def test_loopback_is_allowed_only_where_the_caller_allows_it_and_never_embedded(
    settings, no_connections
):
    assert SafeFetcher(allow_loopback=True).check_url("http://127.0.0.1:8000/x")[4] == ["127.0.0.1"]
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    assert webhooks.resolve_target("http://[::1]:8000/x")[1] == "::1"
    for embedded in ("2002:7f00:1::", "64:ff9b::7f00:1", "::ffff:127.0.0.1"):
        with pytest.raises(FetchError):
            SafeFetcher(allow_loopback=True).check_url(_url(embedded))
        with pytest.raises(webhooks.RefusedTarget):
            webhooks.resolve_target(_url(embedded))
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(webhooks.RefusedTarget):
        webhooks.resolve_target("https://127.0.0.1/x")


def test_a_name_that_later_resolves_to_6to4_loopback_is_refused_at_delivery(db, dns):
    issuer = IssuerFactory()
    dns("93.184.216.34")
    endpoint, _secret = webhooks.register_endpoint(
        actor=None, issuer=issuer, url="https://hooks.example.org/x", events=["award.issued"]
    )
    dns("2002:7f00:1::")  # DNS rebinding: the name now points inside
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="award.issued", payload={})
    webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.delivered_at is None and delivery.last_status_code is None
    assert "internal or reserved" in delivery.last_error or "内部" in delivery.last_error


def test_a_redirect_to_an_internal_address_is_refused_by_the_verifier(monkeypatch, dns):
    # The first hop answers with a redirect to 6to4 loopback; the second is checked again.
    dns("93.184.216.34")
    fetcher = SafeFetcher()
    calls = []

    def first_hop(self, scheme, address, port, host, path, headers, timeout, url, deadline):
        calls.append(address)
        return _Raw(302, "", b"", "https://[2002:7f00:1::]/latest/meta-data")

    monkeypatch.setattr(SafeFetcher, "_request", first_hop)
    with pytest.raises(FetchError) as caught:
        fetcher.get("https://badges.example.org/x")
    assert caught.value.code == "host_not_allowed"
    assert calls == ["93.184.216.34"]
