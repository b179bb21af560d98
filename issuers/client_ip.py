"""The client's IP address, the one way every rate limit and audit record computes it.

`X-Forwarded-For` is written by whoever sends the request: only the entries appended by the
reverse proxies we run can be trusted. settings.NUM_PROXIES says how many there are (env
NUM_PROXIES): 0, the default, ignores the header and uses the socket's peer (REMOTE_ADDR); N uses
the Nth address from the right, the one our outermost proxy saw. Anything a client prepends
lies to the left of it and changes nothing.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The address rate limits count and audit events record (a Django or DRF request)."""
    meta = request.META
    remote_addr = meta.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "NUM_PROXIES", 0)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote_addr
    hops = [hop.strip() for hop in forwarded.split(",")]
    # Fewer hops than proxies: the request did not come through all of them; the left-most
    # hop is still the one our outermost proxy wrote.
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr  # not an address: a misconfigured proxy, never a client's choice
