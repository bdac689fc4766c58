import pytest
from clip_fixtures import board, make_clip, queue  # noqa: F401  (shared fixtures)

from storyboard.boards.models import RateCard
from storyboard.teams.accounts import AccountInput, add_account

SANDBOX = "http://127.0.0.1:9"  # a closed port: nothing is ever sent in these tests
SECRET_KEY = "sk-very-secret-kling-key"  # noqa: S105 - a test credential
ACCESS_KEY = "ak-kling-access-key-123"


@pytest.fixture
def kling(cast, name_sandbox):
    """A Kling account of team A (a sandbox one on a closed port) with known credentials."""
    name_sandbox(SANDBOX)
    return add_account(cast.team_a, AccountInput(
        "kling", "Studio Kling", {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY},
        base_url=SANDBOX, sandbox=True))


@pytest.fixture
def rate_card(cast):
    return RateCard.objects.create(team=cast.team_a, unit="USD",
                                   prices={"kling:v3:std": "0.084"})
