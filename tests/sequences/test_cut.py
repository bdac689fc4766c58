"""The cut's arithmetic: real lengths, marker frames at the scaled planned boundaries, and the
MP4's per-take frame counts that never drift."""

from fractions import Fraction
from pathlib import Path

import pytest

from storyboard.sequences.cut import Cut, CutItem, PlannedShot, fps_from


def item(frames, fps=24, shots=((1, 3, "A"), (2, 2, "B"))):
    return CutItem("Coast", Path("coast.mp4"), frames, Fraction(fps),
                   tuple(PlannedShot(*s) for s in shots))


def test_markers_sit_at_planned_boundaries_scaled_to_the_real_length():
    # Planned 3 s + 2 s, came back 5.2 s (125 frames at 24 fps): shot 2 at 3/5 of 125 = 75.
    markers = item(125).markers()
    assert [(m.name, m.frame, m.prompt) for m in markers] == [("Shot 1", 0, "A"),
                                                              ("Shot 2", 75, "B")]


def test_markers_at_exact_planned_length_fall_on_the_planned_seconds():
    shots = ((1, 2, "A"), (2, 4, "B"), (3, 1, "C"))
    assert [m.frame for m in item(7 * 30, fps=30, shots=shots).markers()] == [0, 60, 180]


def test_a_take_without_planned_shots_has_no_markers():
    assert item(48, shots=()).markers() == []


def test_output_frames_follow_the_running_total_so_errors_never_add_up():
    # Three 30 fps takes of 31 frames each in a 24 fps cut: 24.8 frames each.
    items = [item(31, fps=30) for _ in range(3)]
    cut = Cut("t", Fraction(24), 320, 180, items)
    frames = cut.output_frames()
    assert sum(frames) == round(cut.seconds * 24) == 74
    elapsed = Fraction(0)
    placed = 0
    for it, count in zip(items, frames, strict=True):
        elapsed += it.seconds
        placed += count
        assert abs(placed - elapsed * 24) <= Fraction(1, 2)


def test_same_rate_takes_keep_their_frame_counts():
    cut = Cut("t", Fraction(24), 320, 180, [item(125), item(73)])
    assert cut.output_frames() == [125, 73]
    assert cut.seconds == Fraction(198, 24)


def test_a_take_needs_frames_and_a_rate():
    with pytest.raises(ValueError, match="at least one frame"):
        item(0)
    with pytest.raises(ValueError, match="frame rate"):
        item(10, fps=0)


@pytest.mark.parametrize("raw, rate", [(24, Fraction(24)), (24.0, Fraction(24)),
                                       (29.97, Fraction(30000, 1001)),
                                       (23.976, Fraction(24000, 1001)),
                                       (Fraction(25, 1), Fraction(25)), ("30/1", Fraction(30))])
def test_frame_rates_are_exact_fractions(raw, rate):
    assert fps_from(raw) == rate
