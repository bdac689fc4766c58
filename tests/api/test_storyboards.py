"""Storyboards over the API: the batch-file item format plus title and target, read and written
by the import's and the editor's own code; check as storyboard_check reports; submit once per
Idempotency-Key; a stale PUT is 409 with the current state."""

from __future__ import annotations

from library.media_factory import make_image

from storyboard.boards.models import Storyboard
from storyboard.jobs.models import Job

THREE_SHOTS = {
    "title": "Harbour at dawn",
    "shots": [{"prompt": "@image_1 on the pier", "duration": "3"},
              {"prompt": "gulls over @image_2", "duration": "3"},
              {"prompt": "the boat leaves", "duration": "4"}],
    "image_1": "pier", "image_2": "gulls",
}


def _images(cast):
    make_image(cast.team_a, name="pier.png", color=(1, 1, 1))
    make_image(cast.team_a, name="gulls.png", color=(2, 2, 2))


def test_create_read_and_list(cast, api_for):
    _images(cast)
    api = api_for(cast.editor)
    response = api.post("/storyboards", THREE_SHOTS)
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["title"] == "Harbour at dawn" and made["version"] == 1
    assert made["target"] == {"account": None, "dialect": "animatic", "model": "v3"}
    assert [s["duration"] for s in made["shots"]] == ["3", "3", "4"]
    assert made["image_1"] == "pier" and made["image_2"] == "gulls"
    board = Storyboard.objects.get()
    assert board.team == cast.team_a and board.created_by == cast.editor
    assert api.get(f"/storyboards/{made['id']}").json() == made
    assert [b["id"] for b in api.get("/storyboards").json()["items"]] == [made["id"]]


def test_check_reports_like_storyboard_check(cast, api_for):
    _images(cast)
    api = api_for(cast.editor)
    board = api.post("/storyboards", THREE_SHOTS).json()
    report = api_for(cast.viewer).post(f"/storyboards/{board['id']}/check").json()
    assert report["ok"] is True and report["total_seconds"] == 10
    assert set(report) == {"ok", "target", "total_seconds", "seconds_range", "slots",
                           "problems"}
    too_long = dict(THREE_SHOTS, shots=[{"prompt": "a", "duration": "30"},
                                        {"prompt": "b", "duration": "30"}])
    board2 = api.post("/storyboards", too_long).json()
    report = api.post(f"/storyboards/{board2['id']}/check").json()
    assert report["ok"] is False
    assert any(p["severity"] == "error" for p in report["problems"])


def test_put_takes_the_version_and_a_stale_one_is_409_with_the_current_state(cast, api_for):
    _images(cast)
    api = api_for(cast.editor)
    board = api.post("/storyboards", THREE_SHOTS).json()
    changed = dict(THREE_SHOTS, title="Harbour at dusk", version=1)
    response = api.put(f"/storyboards/{board['id']}", changed)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.json()["title"] == "Harbour at dusk"
    stale = api.put(f"/storyboards/{board['id']}", dict(changed, title="Old tab"))
    assert stale.status_code == 409
    body = stale.json()
    assert body["field"] == "version" and body["current"]["title"] == "Harbour at dusk"
    assert body["current"]["version"] == 2
    assert Storyboard.objects.get().title == "Harbour at dusk"


def test_bad_bodies_are_422_naming_the_field(cast, api_for):
    _images(cast)
    api = api_for(cast.editor)
    cases = [
        ({**THREE_SHOTS, "title": ""}, "title"),
        ({**THREE_SHOTS, "title": "x" * 201}, "title"),
        ({**THREE_SHOTS, "image_1": "no such picture"}, "image_1"),
        ({**THREE_SHOTS, "shots": [{"prompt": "a", "duration": "3"}] * 7}, "shots"),
        ({**THREE_SHOTS, "shots": "three"}, "shots"),
        ({**THREE_SHOTS, "audio": "loud"}, "audio"),
        ({**THREE_SHOTS, "target": {"account": "Nope", "dialect": "kling", "model": "v3"}},
         "target.account"),
        ({**THREE_SHOTS, "target": {"account": None, "dialect": "animatic", "model": "v9"}},
         "target.model"),
    ]
    for body, field in cases:
        response = api.post("/storyboards", body)
        assert response.status_code == 422, (field, response.content)
        assert response.json()["field"] == field, (field, response.json())
        assert response.json()["detail"]
    assert not Storyboard.objects.exists()
    assert api.put("/storyboards/1", THREE_SHOTS).json()["field"] == "version"


def test_submit_once_per_idempotency_key(cast, api_for):
    _images(cast)
    api = api_for(cast.editor)
    board = api.post("/storyboards", THREE_SHOTS).json()
    path = f"/storyboards/{board['id']}/submit"
    first = api.post(path, headers={"Idempotency-Key": "run-1"})
    assert first.status_code == 201, first.content
    again = api.post(path, headers={"Idempotency-Key": "run-1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = api.post(path, headers={"Idempotency-Key": "run-2"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert Job.objects.count() == 2
    job = api.get(f"/jobs/{first.json()['id']}").json()
    assert job["storyboard_id"] == board["id"] and job["state"] in {"queued", "submitting",
                                                                    "processing", "succeeded"}
    missing = api.post(path)
    assert missing.status_code == 422 and missing.json()["field"] == "Idempotency-Key"


def test_submit_refuses_a_storyboard_with_problems(cast, api_for):
    api = api_for(cast.editor)
    board = api.post("/storyboards", {"title": "Long", "shots": [
        {"prompt": "a", "duration": "30"}, {"prompt": "b", "duration": "30"}]}).json()
    response = api.post(f"/storyboards/{board['id']}/submit", headers={"Idempotency-Key": "k"})
    assert response.status_code == 422
    assert response.json()["problems"] and not Job.objects.exists()


def test_delete(cast, api_for):
    api = api_for(cast.editor)
    board = api.post("/storyboards", {"title": "Gone", "prompt": "A", "duration": "5"}).json()
    assert api.delete(f"/storyboards/{board['id']}").status_code == 204
    assert not Storyboard.objects.exists()
    assert api.delete(f"/storyboards/{board['id']}").status_code == 404


def test_another_teams_storyboard_is_404(cast, api_for):
    board = api_for(cast.editor).post("/storyboards", {"title": "Ours", "prompt": "A"}).json()
    outsider = api_for(cast.outsider, cast.team_b)
    for response in (outsider.get(f"/storyboards/{board['id']}"),
                     outsider.post(f"/storyboards/{board['id']}/check"),
                     outsider.put(f"/storyboards/{board['id']}", {"title": "x", "version": 1}),
                     outsider.delete(f"/storyboards/{board['id']}"),
                     outsider.post(f"/storyboards/{board['id']}/submit",
                                   headers={"Idempotency-Key": "k"})):
        assert response.status_code == 404
    assert Storyboard.objects.get().title == "Ours"
