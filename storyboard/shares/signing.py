"""Tokens of share links and the media URLs signed for one link.

A link's token is 24 random bytes (192 bits), shown once and stored hashed. A media URL of a
link carries, signed with SECRET_KEY, the link's id, the clip's id (the link's clip, or one of
the takes it shares), which file (video or poster) and when the link expires: it works under
that link's token only, and never past the link's end. The view checks the rest on every
request: the link itself (so a revoke stops the media at once) and that the link still shows
that clip."""

from __future__ import annotations

import secrets

from django.core import signing
from django.urls import reverse
from django.utils import timezone

SALT = "storyboard.shares.media"
KINDS = ("video", "poster")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def media_url(share, token: str, kind: str, clip=None) -> str:
    """The URL of `kind` of `clip` (default: the link's own clip) under this link."""
    value = {"s": share.pk, "c": clip.pk if clip is not None else share.clip_id, "k": kind,
             "e": int(share.expires_at.timestamp())}
    signed = signing.dumps(value, salt=SALT, compress=True)
    return reverse("share:media", args=[token, signed])


def read_media(share, signed: str) -> tuple[str, int] | None:
    """(which file, of which clip) `signed` names for `share`, or None when it was not signed
    for this link, is tampered with, or outlived the link. Whether the link shows that clip is
    the view's to check (storyboard.shares.actions.take_of)."""
    try:
        value = signing.loads(signed, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("s") != share.pk \
            or not isinstance(value.get("c"), int) or value.get("k") not in KINDS:
        return None
    if not isinstance(value.get("e"), int) or value["e"] <= timezone.now().timestamp():
        return None
    return value["k"], value["c"]
