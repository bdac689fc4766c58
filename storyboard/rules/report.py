"""The check report (docs/rules.md "The check report") and the stable problem codes.

Severities: ``error`` blocks submission; ``warning`` is shown but does not block; ``note`` is an
explanation the UI shows (e.g. why the duration check is skipped with a base video), never blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import Target

ERROR, WARNING, NOTE = "error", "warning", "note"

# code -> what it means. Codes are stable: the editor, scripts and tests key on them.
CODES: dict[str, str] = {
    # storyboard shape (docs/rules.md §1-4)
    "target_unknown": "The dialect or model is not one the app knows.",
    "multi_shot_unsupported": "Multi-shot on a target without multi-shot (§1).",
    "shot_count": "A multi-shot storyboard needs the target's number of shots, 2-6 (§1).",
    "single_shot_shape": "A single-shot storyboard also carries shots (§1).",
    "prompt_missing": "A shot (or the single prompt) is empty (§2).",
    "duration_invalid": "A duration is not a whole number of seconds (§2).",
    "duration_too_short": "A shot's duration is below the target's minimum, 1 s (§2).",
    "total_seconds": "The total duration is outside the target's range or choices (§3).",
    "prompt_too_long": "A prompt is longer than the target takes, counted as sent (§4).",
    "prompt_ignored": "A main prompt in multi-shot mode that the dialect does not send (§4).",
    # options (docs/rules.md §5)
    "mode_unsupported": "The mode is not offered by the target.",
    "aspect_ratio_unsupported": "The aspect ratio is not offered by the target.",
    "aspect_ratio_forced": "useapi sends aspect ratio auto with a reference video (note).",
    "count_invalid": "Outputs per job is not a whole number in the target's range.",
    "audio_unsupported": "Audio is on but the target has no (or unverified/preview) audio.",
    "negative_prompt_unsupported": "A negative prompt on a target that has none.",
    "negative_prompt_too_long": "The negative prompt is longer than the target takes.",
    "vip_required": "A VIP-only useapi option; error without VIP, warning if unknown.",
    # references and slots (docs/rules.md §6-12)
    "slot_unknown": "An attachment in a slot that does not exist (image_9, video_2).",
    "slot_unavailable": "The item behind a slot may no longer be used (e.g. no longer shared).",
    "slots_exceeded": "More images + elements than the slot pool (7, or 4 with a video) (§6).",
    "reference_missing": "A prompt mentions a reference that is not attached (§7).",
    "reference_unused": "An attachment is never mentioned in any prompt (§8).",
    "frame_token_unsupported": "useapi sends frames as frame_start/frame_end; no token (§7).",
    "role_invalid": "An image role or video refer_type that does not exist.",
    "frame_duplicate": "More than one first frame or end frame.",
    "end_frame_without_first": "An end frame needs a first frame (§9).",
    "end_frame_multi_shot": "A multi-shot job may have a first frame but no end frame (§9).",
    "frames_with_base_video": "First/end frames with a base reference video (§9).",
    "elements_with_first_frame": "More elements than allowed together with a first frame (§9).",
    "o1_frames_many_images": "o1: start+end frames with more than 2 images (§9).",
    "video_element_unsupported": "A video element on a target without video elements (§10).",
    "video_element_with_video": "A video element together with a reference video (§10).",
    "audio_with_video": "Audio must be off with a reference video (§11).",
    "base_video_fixes_duration": "Note: a base video fixes duration and aspect ratio (§12).",
    # dialect specifics
    "public_media_required": (
        "A reference the target fetches by public URL only (all APIMart media; Kling and "
        "CometAPI reference videos and video elements) is not a public URL, and the install "
        "has no public media address (error) or may not have one (warning)."
    ),
    "element_sent_as_image": "CometAPI: an element without an id there goes as its frontal image.",
    "element_id_missing": "CometAPI: an element with no id there and no frontal image to send.",
    "element_id_not_integer": "Kling/CometAPI: an element given by an id that is not a number.",
    "elements_unsupported": "Elements on a target that offers none (APIMart).",
    "voice_needs_character_tag": "useapi: an element with a voice whose tag is not character.",
    "element_voice_dropped": "An element's voice the target does not send (warning).",
    "base_video_unsupported": "A base (edit) reference video where only a feature one is "
    "offered (useapi).",
    # batch file reading
    "unknown_key": "A key of a batch item the format does not know; it is ignored.",
    "duration_ignored": "A batch item with shots also has a duration; the sum of shots is used.",
    "prompt_with_shots": "A batch item with shots also has a prompt: an error where the dialect "
    "cannot send both, a warning where it sends the prompt beside the shots (APIMart).",
}


@dataclass(frozen=True)
class Problem:
    severity: str
    code: str
    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "code": self.code,
            "field": self.field,
            "message": self.message,
        }


def seconds_text(low: int, high: int, choices: tuple[int, ...] | None = None) -> str:
    """``3–15 s`` or ``5 or 10 s``."""
    if choices:
        return " or ".join(str(c) for c in choices) + " s"
    return f"{low}–{high} s"


@dataclass
class Report:
    target: Target
    total_seconds: int | None  # None when a duration is not a number
    seconds_range: tuple[int, int] | None  # None for an unknown target
    slots_used: int
    slots_limit: int | None
    problems: list[Problem] = field(default_factory=list)
    seconds_choices: tuple[int, ...] | None = None  # e.g. (5, 10); not part of the JSON

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    def codes(self) -> list[str]:
        return [p.code for p in self.problems]

    def total_text(self) -> str:
        """The live total shown beside the timeline: ``11 s of 3–15 s``."""
        total = "?" if self.total_seconds is None else str(self.total_seconds)
        if self.seconds_range is None:
            return f"{total} s"
        return f"{total} s of {seconds_text(*self.seconds_range, self.seconds_choices)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "target": self.target.to_dict(),
            "total_seconds": self.total_seconds,
            "seconds_range": list(self.seconds_range) if self.seconds_range else None,
            "slots": {"used": self.slots_used, "limit": self.slots_limit},
            "problems": [p.to_dict() for p in self.problems],
        }
