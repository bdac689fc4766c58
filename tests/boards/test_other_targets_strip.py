"""The strip of other targets names them the way the team knows them — its accounts' labels and
the models — checks each with that account's own facts, and says when a verdict turns on the
account rather than on the storyboard."""

import re

import pytest

from storyboard.boards.models import Shot, Storyboard
from storyboard.teams.accounts import AccountInput, add_account

pytestmark = pytest.mark.django_db


def _strip(html: str) -> str:
    return re.search(r'<ul class="strip" aria-label="Other targets">(.*?)</ul>', html,
                     re.S).group(1)


def test_the_strip_names_the_teams_accounts_and_models_not_internal_codes(cast, client_for,
                                                                          settings):
    settings.STORYBOARD_PUBLIC_BASE_URL = ""
    add_account(cast.team_a, AccountInput("kling", "Studio Kling",
                                          {"access_key": "ak", "secret_key": "sk"}))
    add_account(cast.team_a, AccountInput("apimart", "Mart", {"api_key": "k"}))
    board = Storyboard.objects.create(team=cast.team_a, title="Coast")
    for n in range(2):
        Shot.objects.create(storyboard=board, position=n, prompt=f"Waves {n}", duration="4")
    strip = _strip(client_for(cast.editor).get(f"/storyboards/{board.pk}/").content.decode())
    assert "Studio Kling · v3" in strip and "Studio Kling · o1" in strip
    assert "Mart · v3" in strip
    assert "Local preview (animatic) · o1" in strip
    # A vendor the team has no account with is named, and says so; no bare codes as names.
    names = " ".join(re.findall(r'<span class="t">([^<]*)</span>', strip))
    assert "(no account yet)" in names
    assert not re.search(r"\b(useapi|kling|cometapi|apimart|animatic) (o1|v3)\b", names), names
    # The animatic v3 is the board's own target: not in the strip.
    assert "Local preview (animatic) · v3" not in strip


def test_a_verdict_that_turns_on_the_account_says_so(cast, client_for, settings):
    from library.media_factory import make_image

    from storyboard.boards.models import Slot

    settings.STORYBOARD_PUBLIC_BASE_URL = ""
    add_account(cast.team_a, AccountInput("apimart", "Mart", {"api_key": "k"}))
    board = Storyboard.objects.create(team=cast.team_a, title="Coast", multi_shot=False,
                                      prompt="@image_1 at dawn", duration="5")
    Slot.objects.create(storyboard=board, name="image_1", image=make_image(cast.team_a))
    strip = _strip(client_for(cast.editor).get(f"/storyboards/{board.pk}/").content.decode())
    refusal = re.search(r"✗ ([^<]*Mart · v3[^<]*)</span> <span class=\"small muted\">([^<]*)<",
                        strip)
    assert refusal, strip
    assert "depends on the account and this install" in refusal.group(2)
