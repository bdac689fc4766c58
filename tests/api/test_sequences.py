"""Sequences over the API: created through the pages' actions (storyboards in the order given,
all or nothing), read with each storyboard's chosen take, seconds, review state and running
total, listed a keyset page at a time, and exported as the download page exports them — the
file when the stored export is ready, 202 with the progress while it is built, 409 naming the
storyboards without a take. Bad input is 4xx naming the field, never a 500."""

from __future__ import annotations

import pytest
from django.utils import timezone
from sequences.test_exports import _preview, make_clip, scene  # noqa: F401  (fixtures)

from storyboard.boards.models import Shot, Storyboard
from storyboard.review.actions import approve_clip
from storyboard.sequences import actions
from storyboard.sequences.exports import BUILD_LEASE as LEASE
from storyboard.sequences.exports import build_export_task
from storyboard.sequences.exports_models import SequenceExport
from storyboard.sequences.models import Sequence


def _board(team, title, seconds=(3, 3)):
    board = Storyboard.objects.create(team=team, title=title)
    for position, duration in enumerate(seconds):
        Shot.objects.create(storyboard=board, position=position, prompt=title,
                            duration=str(duration))
    return board


def test_create_with_storyboards_in_order_then_read_the_strip(cast, api_for, make_clip):  # noqa: F811
    coast, market, pier = (_board(cast.team_a, t) for t in ("Coast", "Market", "Pier"))
    older = make_clip(storyboard=coast, seconds=(2, 2))
    approved = make_clip(storyboard=coast, seconds=(3, 4))
    make_clip(storyboard=coast, seconds=(1, 1))  # newest, but not the approved one
    approve_clip(approved, cast.reviewer)
    pinned = make_clip(storyboard=pier, seconds=(2, 3))
    make_clip(storyboard=pier, seconds=(4, 4))
    editor = api_for(cast.editor)

    made = editor.post("/sequences", {"title": "  Scene   1 ",
                                      "storyboards": [pier.pk, coast.pk, market.pk]})
    assert made.status_code == 201, made.content
    body = made.json()
    sequence = Sequence.objects.get(pk=body["id"])
    assert sequence.title == body["title"] == "Scene 1"  # as the page stores a title
    assert list(sequence.entries.values_list("storyboard_id", flat=True)) == [
        pier.pk, coast.pk, market.pk]
    actions.pin_take(sequence.entries.get(storyboard=pier), pinned.pk)

    read = api_for(cast.viewer).get(f"/sequences/{sequence.pk}")
    assert read.status_code == 200
    detail = read.json()
    assert detail["storyboard_count"] == 3 and detail["version"] == sequence.version + 1
    strip = [(e["position"], e["title"], e["take"], e["pinned"], e["review_state"],
              e["seconds"], e["start"], e["running_total"]) for e in detail["storyboards"]]
    assert strip == [
        (1, "Pier", pinned.pk, True, "awaiting", 5.0, 0.0, 5.0),
        (2, "Coast", approved.pk, False, "approved", 7.0, 5.0, 12.0),
        (3, "Market", None, False, "no_take", 6.0, 12.0, 18.0),  # its planned seconds
    ]
    assert detail["total_seconds"] == 18.0
    assert older.pk not in [e["take"] for e in detail["storyboards"]]


def test_the_list_is_keyset_paged_with_counts(cast, api_for):
    made = [actions.create_sequence(cast.team_a, cast.editor, f"Scene {n}") for n in range(3)]
    actions.add_storyboard(made[2], _board(cast.team_a, "Coast"))
    actions.create_sequence(cast.team_b, cast.outsider, "Theirs")
    api = api_for(cast.viewer)
    first = api.get("/sequences", {"limit": 2}).json()
    assert [(s["title"], s["storyboard_count"]) for s in first["items"]] == [
        ("Scene 2", 1), ("Scene 1", 0)]
    second = api.get("/sequences", {"limit": 2, "cursor": first["next"]}).json()
    assert [s["title"] for s in second["items"]] == ["Scene 0"] and second["next"] is None
    assert api.get("/sequences", {"cursor": "nonsense"}).json()["field"] == "cursor"


def test_a_viewer_cannot_create_and_another_team_sees_nothing(cast, api_for, scene):  # noqa: F811
    sequence, coast, *_ = scene
    refused = api_for(cast.viewer).post("/sequences", {"title": "Mine"})
    assert refused.status_code == 403 and refused.json()["detail"]
    assert Sequence.objects.count() == 1
    outsider = api_for(cast.outsider, cast.team_b)
    assert outsider.get(f"/sequences/{sequence.pk}").status_code == 404
    assert outsider.get(f"/sequences/{sequence.pk}/export", {"format": "otio"}).status_code == 404
    assert outsider.get("/sequences").json()["items"] == []
    theirs = outsider.post("/sequences", {"title": "Borrowed", "storyboards": [coast.pk]})
    assert theirs.status_code == 422
    assert theirs.json() == {"detail": f"storyboards[0]: no storyboard {coast.pk} in this team",
                             "field": "storyboards[0]"}
    assert not Sequence.objects.filter(team=cast.team_b).exists()


def test_a_storyboard_in_another_sequence_is_409_and_nothing_is_made(cast, api_for, scene):  # noqa: F811
    sequence, coast, market, _ = scene
    free = _board(cast.team_a, "Pier")
    response = api_for(cast.editor).post("/sequences", {
        "title": "Scene 2", "storyboards": [free.pk, market.pk]})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "storyboards[1]: “Market” is already in the sequence “Scene 1”; remove it "
                  "there first (a storyboard is in one sequence at a time).",
        "field": "storyboards[1]"}
    assert list(Sequence.objects.values_list("title", flat=True)) == ["Scene 1"]
    assert not hasattr(Storyboard.objects.get(pk=free.pk), "sequence_entry")


@pytest.mark.parametrize("body, field, says", [
    ({"title": ""}, "title", "title: give the sequence a title."),
    ({"title": "   "}, "title", "title: give the sequence a title."),
    ({"title": "x" * 201}, "title", "title: String should have at most 200 characters"),
    ({"title": "Scene 1"}, "title", "title: the team already has a sequence called “Scene 1”."),
    ({"title": "Nul\x00here"}, "title", "title: Null characters are not allowed."),
    ({}, "title", "title: Field required"),
    ({"title": "B", "storyboards": [0]}, "storyboards.0",
     "storyboards.0: Input should be greater than or equal to 1"),
    ({"title": "B", "storyboards": ["one"]}, "storyboards.0",
     "storyboards.0: Input should be a valid integer, unable to parse string as an integer"),
    ({"title": "B", "storyboards": list(range(1, 502))}, "storyboards",
     "storyboards: List should have at most 500 items after validation, not 501"),
    ({"title": "B", "storybords": []}, "storybords", "storybords: Extra inputs are not permitted"),
])
def test_bad_input_names_the_field(cast, api_for, scene, body, field, says):  # noqa: F811
    response = api_for(cast.editor).post("/sequences", body)
    assert response.status_code == 422, response.content
    assert response.json() == {"detail": says, "field": field}
    assert Sequence.objects.count() == 1


def test_a_storyboard_listed_twice_is_named(cast, api_for):
    board = _board(cast.team_a, "Coast")
    response = api_for(cast.editor).post("/sequences", {"title": "B",
                                                        "storyboards": [board.pk, board.pk]})
    assert response.status_code == 422
    assert response.json()["field"] == "storyboards[1]"
    assert f"storyboard {board.pk} is listed twice" in response.json()["detail"]
    assert not Sequence.objects.exists()


# --- exports ---------------------------------------------------------------------------------


def test_a_timeline_is_the_file_at_once(cast, api_for, scene):  # noqa: F811
    sequence, coast, market, _ = scene
    _preview(market)
    response = api_for(cast.viewer).get(f"/sequences/{sequence.pk}/export",
                                        {"format": "otio", "placeholders": "true"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="Scene-1.otio"'
    text = b"".join(response.streaming_content).decode()
    assert '"OTIO_SCHEMA"' in text and "Coast" in text and "Market" in text
    row = SequenceExport.objects.get()  # the same stored export the download page serves
    assert (row.format, row.placeholders, row.state) == ("otio", True, "ready")


def test_missing_takes_are_named_unless_placeholders(cast, api_for, scene):  # noqa: F811
    sequence, coast, market, _ = scene
    response = api_for(cast.viewer).get(f"/sequences/{sequence.pk}/export", {"format": "edl"})
    assert response.status_code == 409
    body = response.json()
    assert body["missing"] == [{"id": market.pk, "title": "Market"}]
    assert "no take yet for 'Market'" in body["detail"] and "placeholders" in body["detail"]
    assert not SequenceExport.objects.exists()


def test_an_mp4_is_202_with_progress_until_built_then_the_file(cast, api_for, scene):  # noqa: F811
    sequence, coast, market, _ = scene
    _preview(market)
    api = api_for(cast.viewer)
    asked = api.get(f"/sequences/{sequence.pk}/export", {"format": "mp4", "placeholders": "1"})
    assert asked.status_code == 202 and asked["Retry-After"] == "2"
    row = SequenceExport.objects.get()
    assert asked.json() == {
        "state": "queued", "progress": 0, "done": 0, "total": 0, "export_id": row.pk,
        "poll": f"/api/v1/sequences/{sequence.pk}/export?format=mp4&placeholders=true"
                f"&export={row.pk}"}
    SequenceExport.objects.filter(pk=row.pk).update(state="building", done=50, total=198,
                                                    attempts=1,
                                                    claimed_until=timezone.now() + LEASE)
    polled = api.get(asked.json()["poll"].removeprefix("/api/v1"))
    assert polled.status_code == 202
    assert (polled.json()["state"], polled.json()["progress"]) == ("building", 25)

    SequenceExport.objects.filter(pk=row.pk).update(state="queued", attempts=0,
                                                    claimed_until=None)
    assert build_export_task(row.pk) == "ready"
    done = api.get(asked.json()["poll"].removeprefix("/api/v1"))
    assert done.status_code == 200 and done["Content-Type"] == "video/mp4"
    assert done["Content-Disposition"] == 'attachment; filename="Scene-1.mp4"'
    assert b"".join(done.streaming_content)[4:8] == b"ftyp"


def test_a_failed_build_is_409_when_followed_and_asked_again_without_export(
        cast, api_for, scene):  # noqa: F811
    sequence, coast, market, _ = scene
    _preview(market)
    api = api_for(cast.viewer)
    asked = api.get(f"/sequences/{sequence.pk}/export", {"format": "zip", "placeholders": "1"})
    row = SequenceExport.objects.get()
    SequenceExport.objects.filter(pk=row.pk).update(state="failed",
                                                    failure_text="Not exported: disk full")
    followed = api.get(asked.json()["poll"].removeprefix("/api/v1"))
    assert followed.status_code == 409
    assert followed.json() == {"detail": "Not exported: disk full", "field": None,
                               "state": "failed", "export_id": row.pk}
    again = api.get(f"/sequences/{sequence.pk}/export", {"format": "zip", "placeholders": "1"})
    assert again.status_code == 202 and again.json()["state"] == "queued"


@pytest.mark.parametrize("params, field, says", [
    ({"format": "mov"}, "format", "format: Input should be 'otio', 'fcpxml', 'edl', 'mp4' or "
                                  "'zip'"),
    ({}, "format", "format: Field required"),
    ({"format": "otio", "placeholders": "maybe"}, "placeholders",
     "placeholders: Input should be a valid boolean, unable to interpret input"),
    ({"format": "otio", "export": "0"}, "export",
     "export: Input should be greater than or equal to 1"),
])
def test_bad_export_parameters_name_the_field(cast, api_for, scene, params, field, says):  # noqa: F811
    sequence, *_ = scene
    response = api_for(cast.viewer).get(f"/sequences/{sequence.pk}/export", params)
    assert response.status_code == 422
    assert response.json() == {"detail": says, "field": field}


def test_following_a_build_of_another_format_or_sequence_is_refused(cast, api_for, scene):  # noqa: F811
    sequence, coast, market, _ = scene
    _preview(market)
    api = api_for(cast.viewer)
    api.get(f"/sequences/{sequence.pk}/export", {"format": "mp4", "placeholders": "1"})
    row = SequenceExport.objects.get()
    wrong = api.get(f"/sequences/{sequence.pk}/export", {"format": "otio", "export": row.pk})
    assert wrong.status_code == 422 and wrong.json()["field"] == "export"
    other = actions.create_sequence(cast.team_a, cast.editor, "Scene 2")
    elsewhere = api.get(f"/sequences/{other.pk}/export", {"format": "mp4", "export": row.pk,
                                                          "placeholders": "1"})
    assert elsewhere.status_code == 404


def test_an_empty_sequence_cannot_be_exported(cast, api_for):
    sequence = actions.create_sequence(cast.team_a, cast.editor, "Nothing yet")
    response = api_for(cast.viewer).get(f"/sequences/{sequence.pk}/export", {"format": "otio"})
    assert response.status_code == 409
    assert response.json()["detail"] == "sequence: it has no storyboards to export"
