"""Exporting a stored sequence: the chosen takes' real files and lengths, markers from each
take's own shots, placeholders from the animatic, one stored file per sequence state, and the
worker's build with its progress."""

from __future__ import annotations

import zipfile
from pathlib import Path

import av
import clip_fixtures
import opentimelineio as otio
import pytest
from django.core.files.storage import default_storage
from sequences.export_fixtures import make_take

from storyboard.boards.models import Preview, Storyboard
from storyboard.sequences.exports import MissingTakes, build_export_task, request_export
from storyboard.sequences.exports_models import SequenceExport
from storyboard.sequences.models import Sequence, SequenceEntry
from storyboard.sequences.timeline import read_timeline

make_clip = clip_fixtures.make_clip


def _file(name: str, frames: int, **kw) -> None:
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    make_take(path, frames=frames, **kw)


@pytest.fixture
def scene(cast, make_clip):
    """'Scene 1': Coast (a 3 s + 3 s take that came back 150 frames) then Market (no take)."""
    sequence = Sequence.objects.create(team=cast.team_a, title="Scene 1")
    coast = Storyboard.objects.create(team=cast.team_a, title="Coast", created_by=cast.editor)
    market = Storyboard.objects.create(team=cast.team_a, title="Market", created_by=cast.editor)
    clip = make_clip(storyboard=coast, prompts=("A lighthouse", "Waves"), seconds=(3, 3))
    _file(clip.file, 150)
    SequenceEntry.objects.create(sequence=sequence, storyboard=coast, position=1)
    SequenceEntry.objects.create(sequence=sequence, storyboard=market, position=2)
    return sequence, coast, market, clip


def _preview(board, frames=48):
    name = f"previews/{board.team_id}/{board.pk}-test.mp4"
    _file(name, frames)
    return Preview.objects.create(storyboard=board, key=f"k{board.pk}", state="ready", file=name,
                                  request={"value": clip_fixtures.shots_snapshot(
                                      board.title, ["Stalls at dawn"], [2])})


def test_a_storyboard_without_a_take_is_named(scene):
    sequence, *_ = scene
    with pytest.raises(MissingTakes, match="no take yet for 'Market'"):
        request_export(sequence, "otio", placeholders=False)
    assert not SequenceExport.objects.exists()


def test_the_timeline_references_the_takes_with_real_lengths_and_markers(scene):
    sequence, coast, market, clip = scene
    _preview(market)
    row = request_export(sequence, "otio", placeholders=True)
    assert row.state == "ready"
    back = read_timeline(default_storage.open(row.file).read().decode(), "otio")
    clips = back.find_clips()
    assert [c.name for c in clips] == ["Coast", "Market"]
    assert [c.source_range.duration.to_frames() for c in clips] == [150, 48]
    assert clips[0].media_reference.target_url == Path(
        default_storage.path(clip.file)).resolve().as_uri()
    assert [(m.name, m.comment, m.marked_range.start_time.to_frames())
            for m in clips[0].markers] == [("Shot 1", "A lighthouse", 0),
                                           ("Shot 2", "Waves", 75)]
    assert clips[1].metadata["storyboard"]["placeholder"] is True
    assert [m.comment for m in clips[1].markers] == ["Stalls at dawn"]


def test_an_unchanged_sequence_gets_the_same_file_and_a_change_a_new_one(scene):
    sequence, coast, market, _ = scene
    _preview(market)
    first = request_export(sequence, "edl", placeholders=True)
    again = request_export(sequence, "edl", placeholders=True)
    assert (again.pk, again.file) == (first.pk, first.file)
    Sequence.objects.filter(pk=sequence.pk).update(version=sequence.version + 1)
    sequence.refresh_from_db()
    changed = request_export(sequence, "edl", placeholders=True)
    assert changed.pk != first.pk and changed.file != first.file


def test_the_mp4_is_built_by_the_worker_with_progress(scene, monkeypatch):
    sequence, coast, market, _ = scene
    _preview(market, frames=30)
    sent = []
    monkeypatch.setattr("storyboard.sequences.exports.async_task",
                        lambda *args: sent.append(args))
    row = request_export(sequence, "mp4", placeholders=True)
    assert row.state == "queued"
    # The worker's task, run here (the test transaction never commits, so nothing was sent).
    assert build_export_task(row.pk) == "ready"
    row.refresh_from_db()
    assert (row.state, row.done, row.total) == ("ready", 180, 180)
    with av.open(default_storage.path(row.file)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        assert (stream.codec_context.width, stream.codec_context.height) == (320, 180)
    assert frames == 180  # 150 + 30, both at 24 fps
    assert build_export_task(row.pk) == "not claimed"  # delivered twice: built once


def test_the_zip_holds_the_clips_and_timelines_with_relative_names(scene, tmp_path):
    sequence, coast, market, _ = scene
    _preview(market)
    row = request_export(sequence, "zip", placeholders=True, inline=True)
    assert row.state == "ready"
    with zipfile.ZipFile(default_storage.path(row.file)) as zf:
        names = zf.namelist()
        assert names == ["media/01-Coast.mp4", "media/02-Market.mp4", "Scene-1.otio",
                         "Scene-1.fcpxml", "Scene-1.edl"]
        zf.extractall(tmp_path)
    back = otio.adapters.read_from_file(str(tmp_path / "Scene-1.otio"))
    assert [c.media_reference.target_url for c in back.find_clips()] == [
        "media/01-Coast.mp4", "media/02-Market.mp4"]
    assert (tmp_path / "media/01-Coast.mp4").stat().st_size > 0


def test_an_unknown_format_is_refused_by_name(scene):
    with pytest.raises(ValueError, match="format: 'mov' is not one of"):
        request_export(scene[0], "mov", placeholders=True)
