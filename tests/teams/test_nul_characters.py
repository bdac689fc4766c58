"""A NUL character pasted into any text field or search box is dropped, not a server error
(PostgreSQL refuses NUL in text columns)."""

import pytest

from storyboard.boards.models import Shot, Storyboard


@pytest.mark.parametrize("path", ["/gallery/?q=a%00b", "/storyboards/?q=a%00b",
                                  "/library/?q=a%00b", "/gallery/?q=%00"])
def test_search_boxes_take_a_nul(path, cast, client_for):
    response = client_for(cast.viewer).get(path)
    assert response.status_code == 200


def test_a_nul_in_a_posted_name_is_dropped(cast, client_for):
    client_for(cast.owner).post("/team/rename/", {"name": "Night\x00 crew"})
    cast.team_a.refresh_from_db()
    assert cast.team_a.name == "Night crew"


def test_a_nul_in_an_autosaved_prompt_is_dropped(cast, client_for):
    board = Storyboard.objects.create(team=cast.team_a, title="Nul", created_by=cast.editor)
    for n in range(2):
        Shot.objects.create(storyboard=board, position=n, prompt="x", duration="3")
    client = client_for(cast.editor)
    page = client.get(f"/storyboards/{board.pk}/")
    assert page.status_code == 200
    data = {"version": board.version, "title": "Nul\x00 title", "target": "animatic:v3",
            "mode": "std", "aspect_ratio": "16:9", "count": "1", "composition": "multi",
            "shot_prompt": ["A\x00 lighthouse", "Waves"], "shot_duration": ["3", "3"]}
    response = client.post(f"/storyboards/{board.pk}/save/", data, HTTP_HX_REQUEST="true")
    assert response.status_code in (200, 422), response.content[:300]
    board.refresh_from_db()
    assert "\x00" not in board.title
    assert all("\x00" not in s.prompt for s in board.shots.all())
