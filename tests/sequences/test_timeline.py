"""Timeline building and round trips through OpenTimelineIO's own readers, for .otio, FCPXML and
CMX 3600 EDL: clip count, order, names, files, exact frame lengths and shot markers."""

from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from storyboard.sequences.cut import Cut, CutItem, PlannedShot
from storyboard.sequences.timeline import (
    FORMATS,
    build_timeline,
    read_timeline,
    timeline_text,
)

SHOTS = (PlannedShot(1, 3, "A lighthouse at dusk"), PlannedShot(2, 2, "Waves, close"))


def a_cut(fps=24, second_fps=None):
    return Cut("Coast to market", Fraction(fps), 1280, 720, [
        CutItem("Coast", Path("/media/clips/coast.mp4"), 125, Fraction(fps), SHOTS),
        CutItem("Market morning", Path("/media/clips/market.mp4"), 73,
                Fraction(second_fps or fps), (PlannedShot(1, 3, "Dawn"),), is_placeholder=True),
        CutItem("Harbour", Path("/media/clips/harbour.mp4"), 240, Fraction(fps),
                (PlannedShot(1, 4, "Boats"), PlannedShot(2, 4, "Gulls"),
                 PlannedShot(3, 2, "Night"))),
    ])


def test_the_timeline_has_one_video_track_with_a_clip_per_storyboard():
    timeline = build_timeline(a_cut())
    assert timeline.name == "Coast to market"
    assert len(timeline.tracks) == 1 and timeline.tracks[0].kind == "Video"
    clips = list(timeline.find_clips())
    assert [c.name for c in clips] == ["Coast", "Market morning", "Harbour"]
    assert clips[0].media_reference.target_url == "file:///media/clips/coast.mp4"
    assert clips[0].media_reference.available_range.duration == otio.opentime.RationalTime(
        125, 24)
    assert clips[1].metadata["storyboard"]["placeholder"] is True
    assert timeline.duration() == otio.opentime.RationalTime(125 + 73 + 240, 24)


def test_markers_carry_the_shot_name_and_prompt_at_the_scaled_boundary():
    clip = build_timeline(a_cut()).find_clips()[0]
    assert [(m.name, m.comment, m.marked_range.start_time.value) for m in clip.markers] == [
        ("Shot 1", "A lighthouse at dusk", 0), ("Shot 2", "Waves, close", 75)]


def test_relative_names_for_the_zip():
    timeline = build_timeline(a_cut(), url_for=lambda item: f"media/{item.path.name}")
    assert [c.media_reference.target_url for c in timeline.find_clips()] == [
        "media/coast.mp4", "media/market.mp4", "media/harbour.mp4"]


def expected(cut):
    return [(i.name, i.duration_frames, [(m.name, m.frame) for m in i.markers()])
            for i in cut.items]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_round_trip_through_otio_readers(fmt):
    cut = a_cut()
    back = read_timeline(timeline_text(cut, fmt), fmt, fps=24)
    clips = list(back.find_clips())
    got = [(c.name, c.source_range.duration.to_frames(),
            [(m.name, m.marked_range.start_time.to_frames()) for m in c.markers])
           for c in clips]
    if fmt == "edl":  # CMX 3600 locators are upper case
        got = [(n, d, [(m.title(), f) for m, f in ms]) for n, d, ms in got]
    assert got == expected(cut)
    # Every clip is the exact length at its rate, placed end to end.
    starts = [back.tracks[0].range_of_child_at_index(i).start_time.to_frames()
              for i in range(len(clips))]
    assert starts == [0, 125, 198]
    urls = [c.media_reference.target_url for c in clips]
    assert urls == ["file:///media/clips/coast.mp4", "file:///media/clips/market.mp4",
                    "file:///media/clips/harbour.mp4"]


@pytest.mark.parametrize("fmt", ["otio", "fcpxml"])
def test_mixed_rates_keep_each_clip_exact_at_its_own_rate(fmt):
    back = read_timeline(timeline_text(a_cut(second_fps=30), fmt), fmt)
    market = list(back.find_clips())[1]
    assert market.source_range.duration == otio.opentime.RationalTime(73, 30)


def test_otio_keeps_the_prompts():
    back = read_timeline(timeline_text(a_cut(), "otio"), "otio")
    harbour = list(back.find_clips())[2]
    assert [m.comment for m in harbour.markers] == ["Boats", "Gulls", "Night"]
    assert [m.marked_range.start_time.value for m in harbour.markers] == [0, 96, 192]


def test_an_unknown_format_is_refused_by_name():
    with pytest.raises(ValueError, match="format: 'aaf' is not one of otio, fcpxml, edl"):
        timeline_text(a_cut(), "aaf")
