"""Preview: the animatic of the storyboard as the editor shows it, rendered once per state,
played in the page through a team-checked view with HTTP Range."""

from boards.editor_form import form_of

from storyboard.boards.models import Preview, Slot


def preview(client, board, **changes):
    return client.post(f"/storyboards/{board.pk}/preview/", form_of(board, **changes),
                       HTTP_HX_REQUEST="true")


def test_preview_renders_the_animatic_and_reuses_it_while_nothing_changes(
        cast, client_for, board, stove):
    Slot.objects.create(storyboard=board, name="image_1", image=stove)
    client = client_for(cast.editor)
    response = preview(client, board, shot_prompt=["The stove @image_1", "Pancake"])
    assert response.status_code == 200
    shown = Preview.objects.get()
    assert (shown.seconds, shown.width, shown.height) == (6.0, 1280, 720)
    html = response.content.decode()
    assert f'src="/storyboards/previews/{shown.pk}/"' in html and "<video" in html
    preview(client, board, shot_prompt=["The stove @image_1", "Pancake"])
    assert Preview.objects.count() == 1  # same state, same file
    preview(client, board, shot_prompt=["The stove @image_1", "Pancake"],
            shot_duration=["2", "3"])
    assert Preview.objects.count() == 2


def test_the_preview_file_is_served_with_range_to_the_team_only(cast, client_for, board):
    preview(client_for(cast.editor), board)
    shown = Preview.objects.get()
    response = client_for(cast.viewer).get(f"/storyboards/previews/{shown.pk}/",
                                           HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206 and response["Content-Type"] == "video/mp4"
    assert response["Content-Range"].startswith("bytes 0-99/")
    assert b"ftyp" in b"".join(response.streaming_content)
    assert client_for(cast.outsider).get(
        f"/storyboards/previews/{shown.pk}/").status_code == 404


def test_a_storyboard_that_cannot_be_rendered_yet_says_why(cast, client_for, board):
    response = preview(client_for(cast.editor), board, shot_duration=["3", "soon"])
    assert response.status_code == 422
    assert "Not rendered yet: shot 2&#x27;s duration" in response.content.decode()
    assert not Preview.objects.exists()
    response = preview(client_for(cast.editor), board, title="")
    assert "Not rendered: Give the storyboard a title" in response.content.decode()
