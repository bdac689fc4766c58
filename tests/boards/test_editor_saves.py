"""Every change in the editor is posted whole to boards:save, which checks it, saves it (if it
starts from the stored version) and answers with the report only."""

import re

from boards.editor_form import form_of

from storyboard.boards.models import Slot, Storyboard


def save(client, board, **changes):
    return client.post(f"/storyboards/{board.pk}/save/", form_of(board, **changes),
                       HTTP_HX_REQUEST="true")


def test_an_editor_saves_a_prompt_and_the_version_goes_up(cast, client_for, board):
    response = save(client_for(cast.editor), board,
                    shot_prompt=["A chef at the stove", "The chef flips a pancake high"])
    assert response.status_code == 200
    board.refresh_from_db()
    assert board.version == 2
    assert [s.prompt for s in board.shots.all()][1] == "The chef flips a pancake high"
    html = response.content.decode()
    assert 'id="board-version" value="2" hx-swap-oob="true"' in html
    assert "Saved · version 2" in html
    assert "6 s of 3–15 s" in html
