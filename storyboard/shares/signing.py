"""Tokens of share links and the media URLs signed for one link.

A link's token is 24 random bytes (192 bits), shown once and stored hashed. A media URL of a
link carries, signed with SECRET_KEY, the link's id, its clip's id, which file (video or
poster) and when the link expires: it works under that link's token only, for that clip only,
and never past the link's end (the view checks the link itself on every request as well, so a
revoke stops the media at once)."""

from __future__ import annotations

import secrets

from django.core import signing
from django.urls import reverse
from django.utils import timezone

SALT = "storyboard.shares.media"
KINDS = ("video", "poster")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def media_url(share, token: str, kind: str) -> str:
    value = {"s": share.pk, "c": share.clip_id, "k": kind,
             "e": int(share.expires_at.timestamp())}
    signed = signing.dumps(value, salt=SALT, compress=True)
    return reverse("share:media", args=[token, signed])


def read_media(share, signed: str) -> str | None:
    """Which file `signed` names for `share`, or None when it was not signed for this link and
    its clip, is tampered with, or outlived the link."""
    try:
        value = signing.loads(signed, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("s") != share.pk \
            or value.get("c") != share.clip_id or value.get("k") not in KINDS:
        return None
    if not isinstance(value.get("e"), int) or value["e"] <= timezone.now().timestamp():
        return None
    return value["k"]
