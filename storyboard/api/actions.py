"""Writes on API tokens: create and revoke (the settings page and `api_token` call these)."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from storyboard.api.models import NAME_MAX, ApiToken
from storyboard.audit import actions as audit
from storyboard.teams.models import Membership, hash_token

# Recognisable in a leaked log or a secret scanner's rules.
PREFIX = "sbt_"


class TokenRefused(Exception):
    def __init__(self, message: str, field: str = "name"):
        super().__init__(message)
        self.field = field


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise TokenRefused("Give the token a name (what uses it, e.g. “render farm”).")
    if len(name) > NAME_MAX:
        raise TokenRefused(f"A token name has at most {NAME_MAX} characters; this one has "
                           f"{len(name)}.")
    return name


def create_token(membership: Membership, name: str) -> tuple[ApiToken, str]:
    """A new token for `membership`'s user in its team; the token itself is returned only here."""
    name = clean_name(name)
    token = PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            row = ApiToken.objects.create(team=membership.team, user=membership.user, name=name,
                                          token_hash=hash_token(token))
            audit.record(audit.Kind.TOKEN_CREATED, team=membership.team, target=row,
                         target_text=name, details={"name": name, "acts_as": row.user.username})
    except IntegrityError:
        raise TokenRefused(f"The team already has a token called “{name}”: choose another "
                           f"name, or revoke that one first.") from None
    return row, token


def revoke_token(token: ApiToken) -> None:
    """At once: the next request with it is refused (it is looked up at every request)."""
    with transaction.atomic():
        if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
                revoked_at=timezone.now()):
            audit.record(audit.Kind.TOKEN_REVOKED, team=token.team_id, target=token,
                         target_text=token.name, details={"name": token.name})
