"""SafeFetcher: the SSRF guard of badge verification.

Refusals are checked before any connection: ``no_connections`` makes any attempt to open one
fail the test, and DNS answers are substituted with monkeypatch, so no traffic ever goes to a
non-loopback address."""

import socket

import pytest
import urllib3

from badges.verification import FetchError, SafeFetcher
from tests.badges.verification_support import Reply, Site


@pytest.fixture
def no_connections(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(urllib3.HTTPConnectionPool, "urlopen", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def fake_dns(monkeypatch, answers: dict[str, list[str]]):
    """Resolve the names in ``answers`` to the given addresses; record every lookup."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        lookups.append(host)
        if host in answers:
            return [
                (
                    socket.AF_INET6 if ":" in ip else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (ip, port),
                )
                for ip in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


REFUSED = [
    ("https://127.0.0.1/x", "host_not_allowed"),
    ("https://localhost/x", "host_not_allowed"),
    ("https://foo.localhost/x", "host_not_allowed"),
    ("https://10.0.0.1/x", "host_not_allowed"),
    ("https://172.16.5.4/x", "host_not_allowed"),
    ("https://192.168.1.1/x", "host_not_allowed"),
    ("https://169.254.169.254/latest/meta-data/", "host_not_allowed"),
    ("https://100.64.0.1/x", "host_not_allowed"),
    ("https://224.0.0.1/x", "host_not_allowed"),
    ("https://240.0.0.1/x", "host_not_allowed"),
    ("https://0.0.0.0/x", "host_not_allowed"),
    ("https://[::1]/x", "host_not_allowed"),
    ("https://[::]/x", "host_not_allowed"),
    ("https://[::ffff:127.0.0.1]/x", "host_not_allowed"),
    ("https://[::ffff:a9fe:a9fe]/x", "host_not_allowed"),
    ("https://[64:ff9b::a00:1]/x", "host_not_allowed"),
    ("https://[2002:7f00:1::]/x", "host_not_allowed"),
    ("https://[fc00::1]/x", "host_not_allowed"),
    ("https://[fd12:3456::1]/x", "host_not_allowed"),
    ("https://[fe80::1]/x", "host_not_allowed"),
    ("https://[ff02::1]/x", "host_not_allowed"),
    ("https://0x7f.1/x", "ip_spelling"),
    ("https://2130706433/x", "ip_spelling"),
    ("https://0177.0.0.1/x", "ip_spelling"),
    ("https://0x7f000001/x", "ip_spelling"),
    ("https://127.1/x", "ip_spelling"),
    ("http://example.org/x", "scheme_not_allowed"),
    ("http://93.184.216.34/x", "scheme_not_allowed"),
    ("file:///etc/passwd", "scheme_not_allowed"),
    ("gopher://127.0.0.1:6379/_INFO", "scheme_not_allowed"),
    ("ftp://example.org/x", "scheme_not_allowed"),
    ("https://user:pw@example.org/x", "invalid_url"),
    ("https://example.org:99999/x", "invalid_url"),
    ("https://exa mple.org/x", "invalid_url"),
]


@pytest.mark.parametrize(("url", "code"), REFUSED)
def test_refused_before_any_connection(no_connections, url, code):
    with pytest.raises(FetchError) as caught:
        SafeFetcher().get(url)
    assert caught.value.code == code
    assert caught.value.message_ja and caught.value.message_en
    assert caught.value.message_ja != caught.value.message_en


@pytest.mark.parametrize(
    "addresses",
    [["10.1.2.3"], ["169.254.169.254"], ["127.0.0.1"], ["::1"], ["fd00::5"], ["::ffff:10.0.0.1"]],
)
def test_names_resolving_to_internal_addresses_are_refused(monkeypatch, no_connections, addresses):
    lookups = fake_dns(monkeypatch, {"badges.example.org": addresses})
    with pytest.raises(FetchError) as caught:
        SafeFetcher().get("https://badges.example.org/assertion")
    assert caught.value.code == "address_not_allowed"
    assert lookups == ["badges.example.org"]


def test_one_internal_address_among_public_ones_is_enough_to_refuse(monkeypatch, no_connections):
    fake_dns(monkeypatch, {"mixed.example.org": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(FetchError) as caught:
        SafeFetcher().get("https://mixed.example.org/")
    assert caught.value.code == "address_not_allowed"


def test_public_names_pass_the_checks(monkeypatch, no_connections):
    fake_dns(monkeypatch, {"badges.example.org": ["93.184.216.34", "2606:2800:220:1::248"]})
    scheme, host, port, path, addresses = SafeFetcher().check_url(
        "https://badges.example.org/ob3/credentials/1?x=1"
    )
    assert (scheme, host, port, path) == (
        "https",
        "badges.example.org",
        443,
        "/ob3/credentials/1?x=1",
    )
    assert addresses == ["93.184.216.34", "2606:2800:220:1::248"]


def test_unresolvable_name(monkeypatch, no_connections):
    def fail(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(FetchError) as caught:
        SafeFetcher().get("https://no-such-host.example.org/")
    assert caught.value.code == "dns_failed"


def test_loopback_is_refused_unless_allowed():
    with Site() as site:
        site.json("/doc", {"ok": True})
        with pytest.raises(FetchError) as caught:
            SafeFetcher().get(site.url("/doc"))
        assert caught.value.code == "host_not_allowed"
        assert site.requests == []
        response = SafeFetcher(allow_loopback=True).get(site.url("/doc"))
    assert (response.status, response.body) == (200, b'{"ok": true}')


def test_connects_to_the_checked_address_with_the_name_in_the_host_header(monkeypatch):
    """DNS rebinding: the name is resolved once, and the connection goes to that address."""
    with Site() as site:
        site.json("/doc", {"ok": True})
        lookups = fake_dns(monkeypatch, {"localhost": ["127.0.0.1"]})
        response = SafeFetcher(allow_loopback=True).get(f"http://localhost:{site.port}/doc")
        assert response.status == 200
        assert site.requests == [("/doc", f"localhost:{site.port}")]
    assert lookups.count("localhost") == 1
    assert set(lookups) <= {"localhost", "127.0.0.1"}


def test_redirects_are_followed_and_rechecked():
    with Site() as site:
        site.json("/final", {"ok": 1})
        site.routes["/a"] = Reply(302, headers={"Location": "/final"})
        site.routes["/to-private"] = Reply(302, headers={"Location": "https://10.0.0.1/admin"})
        site.routes["/to-metadata"] = Reply(
            301, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
        )
        site.routes["/loop"] = Reply(302, headers={"Location": "/loop"})
        fetcher = SafeFetcher(allow_loopback=True)
        response = fetcher.get(site.url("/a"))
        assert (response.status, response.url) == (200, site.url("/final"))
        with pytest.raises(FetchError) as caught:
            fetcher.get(site.url("/to-private"))
        assert caught.value.code == "host_not_allowed"
        with pytest.raises(FetchError) as caught:
            fetcher.get(site.url("/to-metadata"))
        assert caught.value.code == "scheme_not_allowed"
        with pytest.raises(FetchError) as caught:
            fetcher.get(site.url("/loop"))
        assert caught.value.code == "too_many_redirects"
        assert site.requests.count(("/loop", f"127.0.0.1:{site.port}")) == 4


def test_redirect_to_loopback_is_refused_when_loopback_is_not_allowed(monkeypatch):
    """A public page redirecting to 127.0.0.1: checked by the same rules as the first URL."""
    fetcher = SafeFetcher()
    with pytest.raises(FetchError) as caught:
        fetcher.check_url("https://127.0.0.1:6379/")
    assert caught.value.code == "host_not_allowed"


def test_oversized_bodies_are_cut_off():
    with Site() as site:
        site.routes["/declared"] = Reply(body=b"x" * 5000)
        site.routes["/undeclared"] = Reply(body=b"x" * 50_000, send_length=False)
        fetcher = SafeFetcher(allow_loopback=True, max_bytes=1000)
        for path in ("/declared", "/undeclared"):
            with pytest.raises(FetchError) as caught:
                fetcher.get(site.url(path))
            assert caught.value.code == "too_large"


def test_slow_bodies_hit_the_total_time_limit():
    with Site() as site:
        site.routes["/slow"] = Reply(body=b"{" + b" " * 100 + b"}", trickle=0.05)
        fetcher = SafeFetcher(allow_loopback=True, timeout=0.5)
        with pytest.raises(FetchError) as caught:
            fetcher.get(site.url("/slow"))
    assert caught.value.code == "timeout"


def test_non_200_statuses_are_returned_for_the_caller_to_judge():
    with Site() as site:
        site.json("/gone", {"revoked": True}, status=410)
        response = SafeFetcher(allow_loopback=True).get(site.url("/gone"))
    assert response.status == 410


def test_connection_refused_is_a_clear_error():
    with Site() as site:
        port = site.port
    with pytest.raises(FetchError) as caught:
        SafeFetcher(allow_loopback=True).get(f"http://127.0.0.1:{port}/")
    assert caught.value.code == "connection_failed"
