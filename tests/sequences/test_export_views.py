"""The export from the sequence page: a labelled form that GETs /sequences/<id>/export/; a
timeline downloads at once, the MP4 and the ZIP are asked of the worker and the page follows the
build (htmx, 286 once final) to a Download link; missing takes, a bad format and another team's
sequence are refused with words a person can act on."""

from __future__ import annotations

import re
from pathlib import Path

import clip_fixtures
import opentimelineio as otio
import pytest
from django.core.files.storage import default_storage
from sequences.export_fixtures import make_take

from storyboard.boards.models import Preview, Storyboard
from storyboard.sequences.exports import build_export_task
from storyboard.sequences.exports_models import SequenceExport
from storyboard.sequences.models import Sequence, SequenceEntry

make_clip = clip_fixtures.make_clip


def _file(name: str, frames: int) -> None:
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    make_take(path, frames=frames)


@pytest.fixture
def scene(cast, make_clip):
    """'Scene 1': Coast (a take of 72 frames) then Market (no take, an animatic of 48)."""
    sequence = Sequence.objects.create(team=cast.team_a, title="Scene 1")
    coast = Storyboard.objects.create(team=cast.team_a, title="Coast", created_by=cast.editor)
    market = Storyboard.objects.create(team=cast.team_a, title="Market", created_by=cast.editor)
    clip = make_clip(storyboard=coast, prompts=("A lighthouse", "Waves"), seconds=(1.5, 1.5))
    _file(clip.file, 72)
    name = f"previews/{market.team_id}/{market.pk}-test.mp4"
    _file(name, 48)
    Preview.objects.create(storyboard=market, key="k", state="ready", file=name, seconds=2,
                           request={"value": clip_fixtures.shots_snapshot(
                               "Market", ["Stalls at dawn"], [2])})
    SequenceEntry.objects.create(sequence=sequence, storyboard=coast, position=1)
    SequenceEntry.objects.create(sequence=sequence, storyboard=market, position=2)
    return sequence


@pytest.fixture
def sent(monkeypatch):
    """What was handed to the worker (the test's transaction never commits, so on_commit
    callbacks run at once here)."""
    tasks = []
    monkeypatch.setattr("storyboard.sequences.exports.async_task",
                        lambda *args: tasks.append(args))
    monkeypatch.setattr("storyboard.sequences.exports.transaction.on_commit", lambda fn: fn())
    return tasks


def _url(sequence, query=""):
    return f"/sequences/{sequence.pk}/export/{query}"


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_sequence_page_offers_a_labelled_export_form(scene, client_for, cast):
    page = client_for(cast.viewer).get(f"/sequences/{scene.pk}/").content.decode()
    form = re.search(r'<form method="get" action="([^"]+)"[^>]*>(.*?)</form>', page, re.S)
    assert form and form.group(1) == _url(scene)
    html = form.group(2)
    assert '<label for="export-format">Format</label>' in html
    assert re.findall(r'<option value="(\w+)"', html) == ["mp4", "zip", "otio", "fcpxml", "edl"]
    assert "Fill missing takes with their animatic" in html
    assert 'name="placeholders"' in html
    assert "No take yet for “Market”" in page


def test_a_timeline_downloads_at_once_with_its_type_and_name(scene, client_for, cast):
    response = client_for(cast.editor).get(_url(scene, "?format=fcpxml&placeholders=1"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="Scene-1.fcpxml"'
    timeline = otio.adapters.read_from_string(_body(response).decode(), "fcpx_xml")
    assert [c.name for c in timeline.find_clips()] == ["Coast", "Market"]


def test_a_viewer_may_read_the_export(scene, client_for, cast):
    response = client_for(cast.viewer).get(_url(scene, "?format=otio&placeholders=on"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    clips = otio.adapters.read_from_string(_body(response).decode(), "otio_json").find_clips()
    assert [c.source_range.duration.to_frames() for c in clips] == [72, 48]


def test_the_mp4_is_built_by_the_worker_and_the_page_follows_it(scene, client_for, cast, sent):
    client = client_for(cast.editor)
    response = client.get(_url(scene, "?format=mp4&placeholders=1"))
    assert response.status_code == 202
    page = response.content.decode()
    assert "Waiting for the worker" in page
    row = SequenceExport.objects.get()
    follow = f"?format=mp4&amp;placeholders=1&amp;export={row.pk}"
    assert f'hx-get="{follow}" hx-trigger="every 1s"' in page
    assert sent == [("storyboard.sequences.exports.build_export_task", row.pk)]

    # The page polls a fragment of itself; it keeps polling while the build waits.
    poll = _url(scene, follow.replace("&amp;", "&"))
    waiting = client.get(poll, HTTP_HX_REQUEST="true")
    assert waiting.status_code == 200
    fragment = waiting.content.decode()
    assert fragment.lstrip().startswith('<div id="export-progress"') and "<html" not in fragment
    assert 'aria-label="Export progress"' in fragment and "hx-get" in fragment

    assert build_export_task(row.pk) == "ready"
    done = client.get(poll, HTTP_HX_REQUEST="true")
    assert done.status_code == 286  # htmx stops polling
    fragment = done.content.decode()
    assert "hx-get" not in fragment
    link = re.search(r'<a class="button" href="([^"]+)">Download MP4 of the cut</a>', fragment)
    assert link and link.group(1) == "?format=mp4&amp;placeholders=1"

    # The link downloads the stored file; asking again builds nothing more.
    file = client.get(_url(scene, "?format=mp4&placeholders=1"))
    assert file.status_code == 200 and file["Content-Type"] == "video/mp4"
    assert file["Content-Disposition"] == 'attachment; filename="Scene-1.mp4"'
    assert _body(file)[4:8] == b"ftyp"
    assert SequenceExport.objects.count() == 1 and len(sent) == 1


def test_a_failed_build_says_why_stops_polling_and_offers_to_try_again(scene, client_for, cast,
                                                                       sent):
    client = client_for(cast.editor)
    client.get(_url(scene, "?format=zip&placeholders=1"))
    row = SequenceExport.objects.get()
    default_storage.delete(Storyboard.objects.get(title="Coast").jobs.get().clips.get().file)
    assert build_export_task(row.pk) == "failed"

    poll = _url(scene, f"?format=zip&placeholders=1&export={row.pk}")
    response = client.get(poll, HTTP_HX_REQUEST="true")
    assert response.status_code == 286
    fragment = response.content.decode()
    assert "Not exported:" in fragment and "hx-get" not in fragment
    assert '<a class="button" href="?format=zip&amp;placeholders=1">Try again</a>' in fragment
    # Following a failed build does not start it again; "Try again" does.
    assert client.get(poll, HTTP_HX_REQUEST="true").status_code == 286
    assert len(sent) == 1
    again = client.get(_url(scene, "?format=zip&placeholders=1"))
    assert again.status_code == 202 and "Waiting for the worker" in again.content.decode()
    assert len(sent) == 2


def test_a_build_that_keeps_stopping_ends_failed_saying_so(scene, client_for, cast, sent):
    client = client_for(cast.editor)
    client.get(_url(scene, "?format=mp4&placeholders=1"))
    row = SequenceExport.objects.get()
    # Three workers took it and died: their claims expired.
    SequenceExport.objects.update(state="building", attempts=3, claimed_until=None)
    response = client.get(_url(scene, f"?format=mp4&placeholders=1&export={row.pk}"),
                          HTTP_HX_REQUEST="true")
    assert response.status_code == 286
    assert "the build stopped before finishing 3 times" in response.content.decode()


def test_another_teams_build_cannot_be_followed(scene, client_for, cast, sent):
    client_for(cast.editor).get(_url(scene, "?format=mp4&placeholders=1"))
    theirs = Sequence.objects.create(team=cast.team_b, title="Theirs")
    row = SequenceExport.objects.get()
    response = client_for(cast.outsider).get(
        f"/sequences/{theirs.pk}/export/?format=mp4&export={row.pk}", HTTP_HX_REQUEST="true")
    assert response.status_code == 404


def test_storyboards_without_a_take_are_named_with_a_way_out(scene, client_for, cast):
    response = client_for(cast.editor).get(_url(scene, "?format=edl"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Not exported: no take yet for “Market”." in page
    assert '<a href="?format=edl&amp;placeholders=1">export with its animatic instead</a>' in page
    assert not SequenceExport.objects.exists()


@pytest.mark.parametrize(("query", "words"), [
    ("?format=mov", "Format: Select a valid choice. mov is not one of the available choices."),
    ("", "Format: This field is required."),
])
def test_a_bad_format_is_refused_naming_the_field(scene, client_for, cast, query, words):
    response = client_for(cast.editor).get(_url(scene, query))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not SequenceExport.objects.exists()


def test_a_sequence_of_another_team_is_not_found(scene, client_for, cast):
    response = client_for(cast.outsider).get(_url(scene, "?format=otio&placeholders=1"))
    assert response.status_code == 404
    assert not SequenceExport.objects.exists()


def test_an_empty_sequence_has_nothing_to_export(cast, client_for):
    empty = Sequence.objects.create(team=cast.team_a, title="Empty")
    response = client_for(cast.editor).get(_url(empty, "?format=otio"))
    assert response.status_code == 400
    assert "sequence: it has no storyboards to export" in response.content.decode()
