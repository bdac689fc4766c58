"""Bearer tokens: each request looks its token up, with the member's role as it is now (a
removed member's or a revoked token stops working at once), counts it against the token's
rate limit and checks the operation's permission (the roles of storyboard/teams/roles.py)."""

from __future__ import annotations

import math
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from storyboard.api.models import ApiToken
from storyboard.teams.models import Membership, hash_token
from storyboard.teams.roles import ALL_PERMISSIONS

# last_used_at is written at most this often per token: not a write on every request.
LAST_USED_PRECISION = timedelta(minutes=1)
RATE_WINDOW = 60  # seconds


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int):
        super().__init__(f"Too many requests with this token: at most {limit} a minute. "
                         f"Try again in {retry_after} s.")
        self.retry_after = retry_after
        self.limit = limit


def _count(token: ApiToken) -> None:
    limit = settings.STORYBOARD_API_REQUESTS_PER_MINUTE
    now = time.time()
    window = int(now // RATE_WINDOW)
    key = f"api-rate:{token.pk}:{window}"
    cache.add(key, 0, RATE_WINDOW * 2)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr: count this one as the first
        cache.set(key, 1, RATE_WINDOW * 2)
        used = 1
    if used > limit:
        raise RateLimited(max(1, math.ceil((window + 1) * RATE_WINDOW - now)), limit)


def resolve(raw: str) -> tuple[ApiToken, Membership]:
    """The live token and its membership, or AuthenticationError saying why not."""
    token = (ApiToken.objects.active().filter(token_hash=hash_token(raw))
             .select_related("user").first() if raw.startswith("sbt_") else None)
    if token is None:
        raise AuthenticationError(401, "Unknown or revoked API token.")
    membership = (Membership.objects.select_related("team", "user")
                  .filter(team_id=token.team_id, user_id=token.user_id).first())
    if membership is None or not membership.user.is_active:
        raise AuthenticationError(401, "This token's user is no longer a member of its team.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token, membership


class TokenAuth(HttpBearer):
    """Authorization: Bearer <token>, for operations that need `permission`."""

    def __init__(self, permission: str):
        if permission not in ALL_PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        self.permission = permission
        super().__init__()

    def authenticate(self, request, token: str):
        token_row, membership = resolve(token.strip())
        _count(token_row)
        request.api_token, request.membership = token_row, membership
        request.team, request.user = membership.team, membership.user
        if not membership.can(self.permission):
            raise PermissionDenied(f"This token acts as a {membership.role} of "
                                   f"{membership.team.name}, who cannot do this.")
        return token_row


VIEW, EDIT = TokenAuth("view"), TokenAuth("edit")
