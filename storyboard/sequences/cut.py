"""A sequence's cut as plain values: what every export (timeline files, MP4, ZIP) is built from.

No Django here: exports.py turns a Sequence and its chosen takes into a Cut; timeline.py and
reel_mp4.py only read Cuts, so they are tested without a database.

Lengths are whole frames at each take's own frame rate, read from the file (never the planned
seconds), so an editor's timeline and the MP4 agree with the media to the frame. Shot markers
sit at the planned boundaries scaled to the take's real length: a take planned as 3 s + 2 s
that came back 5.2 s long has its second marker at 3/5 of 5.2 s, rounded to a frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path


@dataclass(frozen=True)
class PlannedShot:
    number: int  # 1-based, as the editor shows it
    seconds: float  # planned length
    prompt: str


@dataclass(frozen=True)
class ShotMarker:
    name: str  # "Shot N"
    frame: int  # from the start of its take, at the take's frame rate
    prompt: str


@dataclass(frozen=True)
class CutItem:
    name: str  # the storyboard's title: the clip's name in the editing tool
    path: Path  # the take's (or stand-in animatic's) file
    duration_frames: int  # the file's real length
    fps: Fraction  # the file's frame rate
    shots: tuple[PlannedShot, ...] = ()
    is_placeholder: bool = False  # an animatic standing in for a missing take

    def __post_init__(self) -> None:
        if self.duration_frames < 1:
            raise ValueError(f"{self.name}: a take needs at least one frame")
        if self.fps <= 0:
            raise ValueError(f"{self.name}: frame rate {self.fps} is not positive")

    @property
    def seconds(self) -> Fraction:
        return Fraction(self.duration_frames) / Fraction(self.fps)

    def markers(self) -> list[ShotMarker]:
        """One marker per planned shot, at its planned start scaled to the real length."""
        planned = sum(Fraction(s.seconds).limit_denominator(1000) for s in self.shots)
        if planned <= 0:
            return []
        out, start = [], Fraction(0)
        for shot in self.shots:
            frame = round(start / planned * self.duration_frames)
            out.append(ShotMarker(f"Shot {shot.number}", min(frame, self.duration_frames - 1),
                                  shot.prompt))
            start += Fraction(shot.seconds).limit_denominator(1000)
        return out


@dataclass(frozen=True)
class Cut:
    title: str
    fps: Fraction  # the MP4's frame rate (and the EDL's, which has only one)
    width: int
    height: int
    items: list[CutItem] = field(default_factory=list)

    @property
    def seconds(self) -> Fraction:
        """The sum of the takes' real lengths."""
        return sum((item.seconds for item in self.items), Fraction(0))

    def output_frames(self) -> list[int]:
        """Each take's length in frames at the cut's rate, as the MP4 lays them end to end.
        Rounded on the running total, so each cut is within half a frame of where the takes'
        real lengths put it and the errors never add up."""
        out, elapsed, placed = [], Fraction(0), 0
        for item in self.items:
            elapsed += item.seconds
            end = round(elapsed * self.fps)
            out.append(max(1, end - placed))
            placed += out[-1]
        return out


def fps_from(value: float | int | Fraction | str) -> Fraction:
    """A frame rate as an exact fraction: 24 -> 24, 29.97 -> 30000/1001, '25/1' -> 25."""
    rate = Fraction(value)
    # NTSC rates arrive as floats (23.976, 29.97, 59.94): snap them to n*1000/1001.
    ntsc = Fraction(round(rate * Fraction(1001, 1000)) * 1000, 1001)
    if abs(float(rate - ntsc)) < 0.01 and ntsc.denominator != 1:
        return ntsc
    return rate.limit_denominator(1001)
