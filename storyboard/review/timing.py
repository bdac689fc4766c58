"""Time codes and the shot plan of a clip: where each planned shot starts and ends, which shot
a time falls in, time codes as people type and read them ("4.2", "0:04.2"), and frame-exact
SMPTE time codes ("00:00:04:04") at the clip's frame rate, for the player and the exports."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PlannedShot:
    number: int  # 1-based
    start: float
    end: float
    prompt: str


def _seconds(value) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 0.0
    return seconds if math.isfinite(seconds) and seconds > 0 else 0.0


def shot_plan(snapshot: dict, clip_seconds: float | None = None) -> list[PlannedShot]:
    """The planned shots of a job snapshot, back to back. A single-shot job is one shot."""
    shots = snapshot.get("shots") or []
    if not shots:
        length = _seconds(snapshot.get("duration")) or _seconds(clip_seconds)
        return [PlannedShot(1, 0.0, length, str(snapshot.get("prompt") or ""))]
    plan, start = [], 0.0
    for number, shot in enumerate(shots, start=1):
        end = start + _seconds(shot.get("duration"))
        plan.append(PlannedShot(number, start, end, str(shot.get("prompt") or "")))
        start = end
    return plan


def shot_at(plan: list[PlannedShot], seconds: float) -> int:
    """The shot playing at `seconds`: a cut belongs to the shot it starts; past the plan, the
    last shot."""
    for shot in plan:
        if seconds < shot.end:
            return shot.number
    return plan[-1].number if plan else 1


_CLOCK = re.compile(r"^(?:(\d{1,3}):)?(\d{1,5}(?:[.,]\d{1,3})?)$")


class TimeCodeError(ValueError):
    pass


def parse_time_code(text: str) -> float:
    """'4.2', '4,2', '0:04.2', '1:02' -> seconds. Anything else is refused with a message."""
    text = (text or "").strip()
    if not text:
        raise TimeCodeError("Time: give the time in the clip, e.g. 4.2 or 0:04.2.")
    if text.startswith("-"):
        raise TimeCodeError("Time: must be 0 s or later.")
    match = _CLOCK.match(text[:20]) if len(text) <= 20 else None
    if not match:
        raise TimeCodeError(f"Time: “{text[:20]}” is not a time code; write e.g. 4.2 or 0:04.2.")
    minutes = int(match.group(1) or 0)
    seconds = float(match.group(2).replace(",", "."))
    if match.group(1) is not None and seconds >= 60:
        raise TimeCodeError("Time: seconds after the colon must be under 60.")
    return round(minutes * 60 + seconds, 2)


def format_time_code(seconds: float) -> str:
    """12.25 -> '0:12.3' (tenths, the precision comments are made at)."""
    tenths = int(round(max(seconds, 0.0) * 10))
    minutes, rest = divmod(tenths, 600)
    return f"{minutes}:{rest // 10:02d}.{rest % 10}"


DEFAULT_FPS = 24.0
_FRAME_EPSILON = 1e-6  # 0.29 s × 100 fps is 28.999…: still frame 29


@dataclass(frozen=True)
class FrameRate:
    """A clip's frame rate for frame stepping and SMPTE time codes (HH:MM:SS:FF). `known` is
    False when the clip has no recorded rate and 24 fps is assumed. Time codes are non-drop-
    frame: frames are counted at the file's rate and labelled `base` to a time-code second, so
    a 29.97 fps clip counts 00–29 (the usual non-drop labelling)."""

    fps: float
    known: bool
    frames: int | None = None  # the clip's frame count, when its length is known

    @property
    def base(self) -> int:
        return max(1, round(self.fps))

    @property
    def label(self) -> str:
        return f"{self.fps:g} fps"

    def frame_at(self, seconds: float) -> int:
        """The frame on screen at `seconds` (each frame shows from its start until the next;
        at the clip's very end, where no frame starts, the last one still shows)."""
        if not math.isfinite(seconds) or seconds <= 0:
            return 0
        frame = math.floor(seconds * self.fps + _FRAME_EPSILON)
        return min(frame, self.frames - 1) if self.frames else frame

    def frame_code(self, frame: int) -> str:
        frame = max(int(frame), 0)
        whole, ff = divmod(frame, self.base)
        hh, rest = divmod(whole, 3600)
        mm, ss = divmod(rest, 60)
        return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}"

    def time_code(self, seconds: float) -> str:
        """4.2 s at 24 fps -> '00:00:04:04' (frame 100)."""
        return self.frame_code(self.frame_at(seconds))


def frame_rate(fps, seconds: float | None = None) -> FrameRate:
    """The clip's recorded rate when it is a plausible one, else 24 fps (said as assumed);
    with the clip's length, time codes stop at its last frame."""
    try:
        value = float(fps)
    except (TypeError, ValueError):
        value = 0.0
    known = math.isfinite(value) and 1.0 <= value <= 240.0
    rate = value if known else DEFAULT_FPS
    length = _seconds(seconds)
    return FrameRate(rate, known, max(round(length * rate), 1) if length else None)
