"""API tests: a token per member of the cast, and a client that sends one."""

from __future__ import annotations

import pytest
from api.api_client import Api
from django.core.cache import cache

from storyboard.api.actions import create_token


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_for(cast):
    """The token of `user` in `team` (team A by default)."""
    made = {}

    def make(user, team=None) -> str:
        key = (user.pk, (team or cast.team_a).pk)
        if key not in made:
            membership = cast.member(user, team)
            made[key] = create_token(membership, f"{user.username} tests")[1]
        return made[key]

    return make


@pytest.fixture
def api_for(token_for):
    def make(user, team=None) -> Api:
        return Api(token_for(user, team))

    return make
