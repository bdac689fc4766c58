"""Preview: the animatic of the storyboard as the editor shows it, rendered once per state by
the worker (never in the web request), the panel polling until the player is there, played in
the page through a team-checked view with HTTP Range."""

from datetime import timedelta

import pytest
from boards.editor_form import form_of
from django.db import IntegrityError, transaction
from django.utils import timezone

from storyboard.boards import tasks
from storyboard.boards.models import Preview, Slot


class Worker:
    """django-q2's async_task replaced by a recorder; `run` does what the worker would."""

    def __init__(self):
        self.queued: list[int] = []

    def __call__(self, func, *args, **kwargs):
        assert func == tasks.TASK
        self.queued.extend(args)

    def run(self) -> list[str]:
        done = []
        while self.queued:
            done.append(tasks.render_preview_task(self.queued.pop(0)))
        return done


@pytest.fixture
def worker(monkeypatch):
    recorder = Worker()
    monkeypatch.setattr("storyboard.boards.tasks.async_task", recorder)
    # on_commit callbacks run at once inside the test's transaction
    monkeypatch.setattr("storyboard.boards.tasks.transaction.on_commit", lambda fn: fn())
    return recorder


def preview(client, board, **changes):
    return client.post(f"/storyboards/{board.pk}/preview/", form_of(board, **changes),
                       HTTP_HX_REQUEST="true")


def panel(client, board, shown):
    return client.get(f"/storyboards/{board.pk}/preview/?id={shown.pk}", HTTP_HX_REQUEST="true")


def test_preview_is_rendered_by_the_worker_and_an_unchanged_storyboard_plays_at_once(
        cast, client_for, board, stove, worker):
    Slot.objects.create(storyboard=board, name="image_1", image=stove)
    client = client_for(cast.editor)
    response = preview(client, board, shot_prompt=["The stove @image_1", "Pancake"])
    shown = Preview.objects.get()
    # Nothing rendered in the request: the panel says so and polls for its render.
    assert response.status_code == 202 and shown.state == "queued" and not shown.file
    html = response.content.decode()
    assert "Rendering the animatic" in html and "<video" not in html
    assert f'hx-get="/storyboards/{board.pk}/preview/?id={shown.pk}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert worker.queued == [shown.pk]

    response = panel(client, board, shown)
    assert response.status_code == 200 and "Rendering the animatic" in response.content.decode()
    assert worker.run() == ["ready"]
    response = panel(client, board, shown)
    assert response.status_code == 286  # htmx stops polling
    html = response.content.decode()
    assert f'src="/storyboards/previews/{shown.pk}/"' in html and "hx-get" not in html
    shown.refresh_from_db()
    assert (shown.state, shown.seconds, shown.width, shown.height) == ("ready", 6.0, 1280, 720)

    response = preview(client, board, shot_prompt=["The stove @image_1", "Pancake"])
    assert response.status_code == 200 and "<video" in response.content.decode()
    assert Preview.objects.count() == 1 and worker.queued == []  # same state: no render
    preview(client, board, shot_prompt=["The stove @image_1", "Pancake"],
            shot_duration=["2", "3"])
    assert Preview.objects.count() == 2 and len(worker.queued) == 1


def test_a_double_click_asks_for_one_render(cast, client_for, board, worker):
    client = client_for(cast.editor)
    preview(client, board)
    preview(client, board)
    shown = Preview.objects.get()
    assert worker.queued == [shown.pk]
    assert worker.run() == ["ready"]
    # The database holds one row per state even when two requests race past the lookup.
    with pytest.raises(IntegrityError), transaction.atomic():
        Preview.objects.create(storyboard=board, key=shown.key, state="queued")


def test_the_same_render_run_twice_renders_once(cast, client_for, board, worker):
    preview(client_for(cast.editor), board)
    shown = Preview.objects.get()
    assert tasks.render_preview_task(shown.pk) == "ready"
    assert tasks.render_preview_task(shown.pk) == "not claimed"


def stall(shown, **fields):
    """As a worker that stopped leaves its row: claimed, the claim long expired."""
    Preview.objects.filter(pk=shown.pk).update(**fields)


def test_a_render_whose_worker_stopped_is_picked_up_again(cast, client_for, board, worker):
    client = client_for(cast.editor)
    preview(client, board)
    shown = Preview.objects.get()
    worker.queued.clear()  # the worker took the task and died mid-render
    stall(shown, state="rendering", attempts=1,
          claimed_until=timezone.now() - timedelta(seconds=1))
    response = panel(client, board, shown)
    assert response.status_code == 200 and "Rendering the animatic" in response.content.decode()
    assert worker.queued == [shown.pk]  # handed out again, once however often the panel asks
    panel(client, board, shown)
    assert worker.queued == [shown.pk]
    assert worker.run() == ["ready"]
    assert panel(client, board, shown).status_code == 286


def test_a_render_that_keeps_stopping_ends_failed_saying_why(cast, client_for, board, worker):
    client = client_for(cast.editor)
    preview(client, board)
    shown = Preview.objects.get()
    for _ in range(tasks.MAX_SENDS):
        worker.queued.clear()
        shown.refresh_from_db()
        stall(shown, state="rendering", attempts=shown.attempts + 1,
              claimed_until=timezone.now() - timedelta(seconds=1))
        response = panel(client, board, shown)
    assert response.status_code == 286 and worker.queued == []
    html = response.content.decode()
    assert 'role="alert"' in html and "the render stopped before finishing 3 times" in html
    shown.refresh_from_db()
    assert shown.state == "failed"
    # Pressing Preview again asks for a new render of the same state.
    response = preview(client, board)
    assert response.status_code == 202 and worker.queued == [shown.pk]
    assert worker.run() == ["ready"]


def test_a_render_no_worker_picks_up_is_sent_again_then_fails_naming_the_worker(
        cast, client_for, board, worker):
    client = client_for(cast.editor)
    preview(client, board)
    shown = Preview.objects.get()
    for sends in range(1, tasks.MAX_SENDS + 1):
        stall(shown, sent_at=timezone.now() - tasks.QUEUE_WAIT - timedelta(seconds=1))
        response = panel(client, board, shown)
        assert len(worker.queued) == min(sends, tasks.MAX_SENDS - 1) + 1
    assert response.status_code == 286
    assert "no worker started this render (3 tries): check that the worker runs" in \
        response.content.decode()


def test_a_render_that_fails_says_what_failed(cast, client_for, board, worker, monkeypatch):
    client = client_for(cast.editor)

    def broken(row, attempt):
        raise OSError("No space left on device")

    monkeypatch.setattr("storyboard.boards.tasks._render", broken)
    preview(client, board)
    shown = Preview.objects.get()
    assert worker.run() == ["failed"]
    response = panel(client, board, shown)
    assert response.status_code == 286
    assert ("Not rendered: the animatic renderer failed (OSError: No space left on device)."
            in response.content.decode())


def test_a_state_the_renderer_refuses_says_which_field(cast, client_for, board, worker,
                                                      monkeypatch):
    def refusing(value, path, images):
        raise ValueError("shots[1].duration: 99 s is longer than the animatic renders")

    monkeypatch.setattr("storyboard.providers.animatic.render_animatic", refusing)
    preview(client_for(cast.editor), board)
    assert worker.run() == ["failed"]
    assert Preview.objects.get().failure_text == (
        "Not rendered yet: shot 2's duration: 99 s is longer than the animatic renders")


def test_the_preview_file_is_served_with_range_to_the_team_only(cast, client_for, board,
                                                               worker):
    preview(client_for(cast.editor), board)
    shown = Preview.objects.get()
    # Not rendered yet: there is nothing to play.
    assert client_for(cast.viewer).get(f"/storyboards/previews/{shown.pk}/").status_code == 404
    worker.run()
    response = client_for(cast.viewer).get(f"/storyboards/previews/{shown.pk}/",
                                           HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206 and response["Content-Type"] == "video/mp4"
    assert response["Content-Range"].startswith("bytes 0-99/")
    assert b"ftyp" in b"".join(response.streaming_content)
    assert client_for(cast.outsider).get(
        f"/storyboards/previews/{shown.pk}/").status_code == 404


def test_only_editors_follow_a_render_and_others_see_the_last_finished_one(
        cast, client_for, board, worker):
    preview(client_for(cast.editor), board)
    shown = Preview.objects.get()
    for user in (cast.viewer, cast.reviewer):
        assert panel(client_for(user), board, shown).status_code == 403
        html = client_for(user).get(f"/storyboards/{board.pk}/").content.decode()
        assert "Rendering the animatic" not in html and "No preview rendered yet." in html
    html = client_for(cast.editor).get(f"/storyboards/{board.pk}/").content.decode()
    assert f"/storyboards/{board.pk}/preview/?id={shown.pk}" in html  # goes on polling
    worker.run()
    html = client_for(cast.viewer).get(f"/storyboards/{board.pk}/").content.decode()
    assert f'src="/storyboards/previews/{shown.pk}/"' in html


def test_a_storyboard_that_cannot_be_rendered_yet_says_why(cast, client_for, board, worker):
    response = preview(client_for(cast.editor), board, shot_duration=["3", "soon"])
    assert response.status_code == 422
    assert "Not rendered yet: shot 2&#x27;s duration" in response.content.decode()
    assert not Preview.objects.exists() and worker.queued == []
    response = preview(client_for(cast.editor), board, title="")
    assert "Not rendered: Give the storyboard a title" in response.content.decode()


def test_deleting_a_storyboard_with_renders_under_way_and_done(cast, client_for, board, worker):
    from django.core.files.storage import default_storage

    from storyboard.boards.actions import delete_storyboard

    client = client_for(cast.editor)
    preview(client, board)
    worker.run()
    done = Preview.objects.get()
    preview(client, board, shot_duration=["2", "3"])  # a second state, still queued
    assert default_storage.exists(done.file)
    delete_storyboard(board)
    assert not default_storage.exists(done.file) and not Preview.objects.exists()
    assert worker.run() == ["gone"]
