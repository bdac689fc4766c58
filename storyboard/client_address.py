"""The address a request comes from, for sign-in rate limits and logs.

Behind a reverse proxy every request arrives from the proxy's address, so limits per address
would lock everyone out at once. ``STORYBOARD_TRUSTED_PROXIES`` lists the proxies' networks:
only when the connection comes from one of them is ``X-Forwarded-For`` read, from the right,
skipping the trusted hops, so a client cannot choose its own address by sending the header.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = _networks(tuple(settings.STORYBOARD_TRUSTED_PROXIES))
    peer = _parse(remote or "")
    if not trusted or peer is None or not any(peer in net for net in trusted):
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            return remote  # a malformed chain: the proxy's own address, never a guess
        if not any(address in net for net in trusted):
            return str(address)
    return remote
