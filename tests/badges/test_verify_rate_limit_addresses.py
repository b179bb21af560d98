"""The public verifier's rate limits (the page and POST /api/v1/verify/) count the client's
address as issuers.client_ip gives it: a rotated X-Forwarded-For does not buy more attempts."""

import itertools

import pytest
from django.core.cache import cache

PAGE, API = "/verify/", "/api/v1/verify/"


@pytest.fixture(autouse=True)
def _one_a_minute(settings):
    cache.clear()
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "verify": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    yield
    cache.clear()


_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


def _verify(client, path, **headers):
    if path == PAGE:
        return client.post(path, {"badge": "{}"}, **headers)
    return client.post(path, {"json": {}}, content_type="application/json", **headers)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [PAGE, API])
def test_rotating_x_forwarded_for_does_not_escape_the_limit_without_proxies(client, settings, path):
    settings.NUM_PROXIES = 0
    statuses = [
        _verify(client, path, HTTP_X_FORWARDED_FOR=next(_addresses)).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 429, 429, 429]
    # Another peer address still has its own budget.
    assert _verify(client, path, REMOTE_ADDR="192.0.2.44").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", [PAGE, API])
def test_behind_one_proxy_the_right_most_address_counts(client, settings, path):
    settings.NUM_PROXIES = 1
    # What the client writes is on the left; our proxy appends the address it saw.
    statuses = [
        _verify(client, path, HTTP_X_FORWARDED_FOR=f"{next(_addresses)}, 203.0.113.7").status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 429, 429]
    other_client = _verify(client, path, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.8")
    assert other_client.status_code == 200  # the proxy's peer address is not what counts
