"""Usage and caps: a Kling account that is never called (every refusal comes before anything is
sent, and accepted jobs only reach the recorded queue), a rate card at 0.10 USD a second for
kling v3 std, and storyboards of 5 s (so 0.50 USD a submission)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from jobs.conftest import queue  # noqa: F401  (the recorded worker queue)

from storyboard.boards.models import RateCard, Shot, Storyboard
from storyboard.jobs.models import Job
from storyboard.teams.accounts import AccountInput, add_account


@pytest.fixture
def kling(cast):
    return add_account(cast.team_a, AccountInput("kling", "Studio Kling",
                                                 {"access_key": "ak", "secret_key": "sk"}))


@pytest.fixture
def rate_card(cast):
    return RateCard.objects.create(team=cast.team_a, unit="USD", prices={"kling:v3:std": "0.10"})


@pytest.fixture
def board(cast, kling):
    def make(account=kling, title="Coast"):
        b = Storyboard.objects.create(team=cast.team_a, title=title, account=account,
                                      created_by=cast.editor)
        for position, (prompt, seconds) in enumerate([("A lighthouse at dusk", 2),
                                                      ("Waves on the rocks", 3)]):
            Shot.objects.create(storyboard=b, position=position, prompt=prompt,
                                duration=str(seconds))
        return b
    return make


@pytest.fixture
def spent(cast, kling):
    """A paid job of team A that already cost `amount` (this month unless `ago` says)."""
    made = []

    def make(amount, *, state="succeeded", account=kling, user=None, ago=timedelta(0),
             failure="", sent=True):
        when = timezone.now() - ago
        job = Job.objects.create(
            team=cast.team_a, account=account, created_by=user or cast.editor,
            submit_key=f"spent-{len(made)}", dialect="kling", model="v3", title="Earlier",
            snapshot={}, planned_seconds=5, state=state, failure=failure,
            estimated_cost=None if amount is None else Decimal(amount), created_at=when,
            create_sent_at=when if sent else None)
        made.append(job)
        return job
    return make
