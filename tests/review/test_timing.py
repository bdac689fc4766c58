"""Shot plans and time codes: which planned shot a time falls in, and time codes as typed."""

import pytest

from storyboard.review.timing import (
    TimeCodeError,
    format_time_code,
    frame_rate,
    parse_time_code,
    shot_at,
    shot_plan,
)

PLAN_333 = {"shots": [{"prompt": "A", "duration": 3}, {"prompt": "B", "duration": "3"},
                      {"prompt": "C", "duration": 3}]}


@pytest.mark.parametrize(("seconds", "shot"), [(0, 1), (2.99, 1), (3.0, 2), (4.2, 2), (6.0, 3),
                                               (8.9, 3), (9.0, 3), (12, 3)])
def test_a_time_falls_in_the_shot_playing_then(seconds, shot):
    assert shot_at(shot_plan(PLAN_333), seconds) == shot


def test_the_plan_lays_shots_back_to_back():
    plan = shot_plan(PLAN_333)
    assert [(s.number, s.start, s.end) for s in plan] == [(1, 0, 3), (2, 3, 6), (3, 6, 9)]


def test_a_single_shot_job_is_one_shot_of_its_duration_or_the_clips():
    assert [(s.start, s.end) for s in shot_plan({"prompt": "A", "duration": 5})] == [(0, 5)]
    assert shot_plan({"prompt": "A", "duration": "x"}, 7.5)[0].end == 7.5


def test_bad_durations_in_a_snapshot_count_as_zero():
    plan = shot_plan({"shots": [{"duration": "abc"}, {"duration": float("nan")},
                                {"duration": 2}]})
    assert plan[-1].end == 2


@pytest.mark.parametrize(("text", "seconds"), [("4.2", 4.2), ("4,2", 4.2), ("0:04.2", 4.2),
                                               ("1:02", 62), (" 7 ", 7), ("0", 0)])
def test_time_codes_people_type(text, seconds):
    assert parse_time_code(text) == seconds


@pytest.mark.parametrize(("text", "message"), [
    ("", "give the time"), ("-1", "0 s or later"), ("abc", "is not a time code"),
    ("1:75", "under 60"), ("4.2'; DROP TABLE x", "not a time code"),
    ("9" * 10_000, "not a time code"), ("nan", "not a time code"), ("inf", "not a time code"),
])
def test_bad_time_codes_are_refused_with_a_message(text, message):
    with pytest.raises(TimeCodeError, match=message):
        parse_time_code(text)


def test_time_codes_are_shown_in_tenths():
    assert format_time_code(4.2) == "0:04.2"
    assert format_time_code(62.25) == "1:02.2" or format_time_code(62.25) == "1:02.3"
    assert format_time_code(-3) == "0:00.0"


# Frame time codes (HH:MM:SS:FF) for the player's readout and the exports.

@pytest.mark.parametrize(("seconds", "fps", "code"), [
    (0, 24, "00:00:00:00"),
    (1 / 24, 24, "00:00:00:01"),  # the first frame boundary
    (1 / 24 - 0.001, 24, "00:00:00:00"),  # just before it, frame 0 is still on screen
    (23 / 24, 24, "00:00:00:23"),
    (1.0, 24, "00:00:01:00"),  # the last frame of a second rolls over to the next second
    (4.2, 24, "00:00:04:04"),  # frame 100, which shows from 4.1667 s
    (59.999, 24, "00:00:59:23"),
    (3600, 24, "01:00:00:00"),
    (0.04, 25, "00:00:00:01"),
    (0.29, 100, "00:00:00:29"),  # 0.29 × 100 is 28.999… in floating point
    (0.35, 60, "00:00:00:21"),
    (1.0, 29.97, "00:00:00:29"),  # non-drop-frame: 29.97 frames counted, labelled to 30
    (10, 29.97, "00:00:09:29"),
    (-2, 24, "00:00:00:00"),
    (float("nan"), 24, "00:00:00:00"),
])
def test_frame_time_codes_count_the_frame_on_screen(seconds, fps, code):
    assert frame_rate(fps).time_code(seconds) == code


def test_a_clip_without_a_recorded_frame_rate_is_counted_at_24_fps_and_says_so():
    for missing in (None, 0, 0.0, "x", float("nan"), float("inf"), 1000):
        rate = frame_rate(missing)
        assert (rate.fps, rate.known, rate.label) == (24.0, False, "24 fps")
    recorded = frame_rate(23.976)
    assert (recorded.known, recorded.base, recorded.label) == (True, 24, "23.976 fps")
    assert frame_rate(25).frame_code(25 * 61 + 3) == "00:01:01:03"


def test_the_clips_very_end_shows_its_last_frame():
    rate = frame_rate(24, 9.0)  # 216 frames, 0 to 215
    assert rate.frames == 216
    assert rate.time_code(9.0) == rate.time_code(8.99) == "00:00:08:23"
    assert frame_rate(24).time_code(9.0) == "00:00:09:00"  # no length known: no clamp
