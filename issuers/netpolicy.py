"""Which addresses the portal may connect to: ONE policy for every outgoing request.

Both outgoing paths use it: the badge verifier's fetcher (badges.verification.fetch, URLs chosen
by whoever made a badge) and webhook delivery (issuers.webhooks, URLs chosen by an issuer). It
lives here, in the bottom app, because badges may import issuers but not the other way round.

Allowed: public unicast only. Refused: private, loopback (unless the caller allows it: tests and
local development), link-local, site-local fec0::/10, unique-local fc00::/7, shared CGNAT
100.64.0.0/10, multicast, reserved, unspecified, documentation and benchmarking ranges, and
every IPv6 address that carries an IPv4 address the packet finally reaches (IPv4-mapped
::ffff:0:0/96, IPv4-compatible ::/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16,
Teredo 2001::/32) unless that IPv4 address is itself allowed. Embedded loopback is never allowed.

Callers check the addresses a name resolves to (:func:`resolve_allowed`) and then connect to
those very addresses, so a second DNS answer cannot swap in an internal one (DNS rebinding);
a redirect target is resolved and checked again the same way.
"""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class AddressRefused(ValueError):
    """The address is not one the portal may connect to."""


class UnresolvableHost(OSError):
    """The name has no usable address."""


def embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address finally reaches (none for native IPv6)."""
    if ip.ipv4_mapped is not None:
        return (ip.ipv4_mapped,)
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        return (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF),)
    if ip.sixtofour is not None:
        return (ip.sixtofour,)
    if ip.teredo is not None:
        return ip.teredo  # the relay server and the client behind it
    # IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks); :: and ::1 excluded.
    if int(ip) >> 32 == 0 and int(ip) > 1:
        return (ipaddress.IPv4Address(int(ip)),)
    return ()


def _is_public(ip: IPAddress) -> bool:
    if ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved:
        return False
    if ip.is_unspecified or ip.is_loopback:
        return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return False  # fec0::/10: deprecated, but Python still calls it global
    return ip.is_global


def check_address(ip: IPAddress, *, allow_loopback: bool = False) -> None:
    """Raise :class:`AddressRefused` unless the portal may connect to ``ip``."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            raise AddressRefused(f"{ip} has a zone index")
        embedded = embedded_ipv4(ip)
        if embedded:
            for inner in embedded:
                if not _is_public(inner):
                    raise AddressRefused(f"{ip} reaches {inner}, not a public unicast address")
            return
    if ip.is_loopback and allow_loopback:
        return
    if not _is_public(ip):
        raise AddressRefused(f"{ip} is not a public unicast address")


def is_allowed(ip: IPAddress, *, allow_loopback: bool = False) -> bool:
    try:
        check_address(ip, allow_loopback=allow_loopback)
    except AddressRefused:
        return False
    return True


def resolve_allowed(host: str, port: int, *, allow_loopback: bool = False) -> list[IPAddress]:
    """Every address ``host`` resolves to, in resolver order, if ALL are allowed: the resolver
    may hand out any one of them later, so one internal address refuses the host.
    :class:`UnresolvableHost` or :class:`AddressRefused` otherwise."""
    try:
        # Looked up on the module at call time, so tests can substitute answers.
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnresolvableHost(str(error)) from error
    addresses = []
    for info in infos:
        try:
            addresses.append(ipaddress.ip_address(info[4][0].split("%")[0]))
        except ValueError:
            continue
    if not addresses:
        raise UnresolvableHost("no addresses")
    for address in addresses:
        check_address(address, allow_loopback=allow_loopback)
    return addresses
