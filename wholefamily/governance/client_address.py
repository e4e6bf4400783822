"""The client's address for the audit log and the sign-in throttle: from a trusted proxy's forwarded header.

Behind a reverse proxy every request comes from the proxy's address, so the audit log would name the proxy
and the throttle would lock a username for everyone at once. `X-Forwarded-For` is believed only when the
request comes from a proxy listed in `WHOLEFAMILY_TRUSTED_PROXIES` (addresses or networks); otherwise it is
ignored, since any client can send it. ADR 0014.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(text: str) -> list[Network]:
    """`10.0.0.1, 10.1.0.0/16, ::1` as networks; ImproperlyConfigured naming a bad entry."""
    networks: list[Network] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"WHOLEFAMILY_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from None
    return networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(text: str, proxies: Iterable[Network]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in proxies)


def client_address(request: HttpRequest) -> str | None:
    """The address of the client: the nearest hop of X-Forwarded-For that is not a trusted proxy, when the request
    came from a trusted proxy; else the connection's own address."""
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    proxies = settings.WHOLEFAMILY_TRUSTED_PROXIES
    if remote is None or not _is_trusted(remote, proxies):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if _address(hop) is None:
            return remote  # a malformed header: believe nothing in it
        if not _is_trusted(hop, proxies):
            return hop
    return hops[0] if hops else remote
