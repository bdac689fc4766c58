import pytest
from library.media_factory import make_image, make_image_element

from storyboard.boards.models import Shot, Storyboard


@pytest.fixture(autouse=True)
def _fresh_element_facts():
    from storyboard.boards.state import _FACTS

    _FACTS.clear()


@pytest.fixture
def board(cast):
    """Team A's "Kitchen": two shots of 3 s on the free local preview."""
    b = Storyboard.objects.create(team=cast.team_a, title="Kitchen", created_by=cast.editor)
    Shot.objects.create(storyboard=b, position=0, prompt="A chef at the stove", duration="3")
    Shot.objects.create(storyboard=b, position=1, prompt="The chef flips a pancake",
                        duration="3")
    return b


@pytest.fixture
def stove(cast):
    return make_image(cast.team_a, cast.editor, name="stove.png", color=(200, 40, 40))


@pytest.fixture
def chef(cast):
    return make_image_element(cast.team_a, cast.editor, name="Chef")
