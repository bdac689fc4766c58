"""Which webhook URLs are taken: https to a public host. What an address string can show is
refused here with a message for the form; the connect-time check of the resolved address
(storyboard/providers/http.py) is what actually keeps deliveries off private networks, since a
public-looking name may resolve to anything."""

from __future__ import annotations

import ipaddress

import httpx
from django.conf import settings

from storyboard.providers.http import address_allowed
from storyboard.webhooks.models import URL_MAX

LOOPBACK_NAMES = ("localhost",)


def _is_loopback_name(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.endswith(".localhost")


def refusal(url: str) -> str:
    """Why `url` cannot be a webhook's address (the form puts "URL:" before it); "" when it can."""
    url = url or ""
    if not url.strip():
        return "Enter the https:// address that receives the events."
    if len(url) > URL_MAX:
        return f"At most {URL_MAX} characters (this one has {len(url):,})."
    if any(ord(c) < 32 or ord(c) == 127 for c in url):
        return "Must not contain control characters (such as NUL or a line break)."
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        return "Not a valid address; expected https://host/path."
    host = (parsed.host or "").lower()
    if parsed.scheme not in ("http", "https") or not host:
        return "Expected an https:// address with a host, e.g. https://example.com/hooks."
    loopback_allowed = settings.STORYBOARD_WEBHOOKS_ALLOW_LOOPBACK
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    loopback = _is_loopback_name(host) or (ip is not None and ip.is_loopback)
    if loopback and not loopback_allowed:
        return (f"{host} is this machine (loopback): webhooks go to public addresses "
                "only.")
    if parsed.scheme == "http" and not (loopback and loopback_allowed):
        return "Must start with https:// (deliveries carry your data and a signature)."
    if ip is not None and not address_allowed(ip, allow_loopback=loopback_allowed):
        return (f"{host} is a private or reserved address: webhooks go to public "
                "addresses only.")
    return ""
