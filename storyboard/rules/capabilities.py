"""The capability table of rules.md, as data.

One :class:`Capability` per (dialect, model). Every value is a keyword in a record below, so
changing a vendor limit is a one-line change. Each value carries a short source note in
``Capability.notes`` (field name -> note); fields without a specific note point at the column of
the rules.md table they were copied from.

Decisions taken where the spec leaves room (each one also noted in the row):
- ``audio``: ``"yes"`` (sent), ``"no"`` (audio on is an error), ``"unverified"`` (useapi v3: not
  sent, so audio on is a warning), ``"preview"`` (animatic: the preview is silent, a warning).
- kling/cometapi o1 take 5 or 10 s for a text-only job or one whose only reference is a first
  frame (``seconds_text_or_first_frame``); APIMart o1 always takes 5 or 10 (``seconds_choices``).
- 4K on kling/cometapi v3 is unverified on that endpoint: off unless ``KLING_V3_4K`` is True.
- The animatic takes kling v3's limits for both models, so a previewed storyboard submits unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from .model import Target

DIALECTS = ("useapi", "kling", "cometapi", "apimart", "animatic")
MODELS = ("o1", "v3")

# Flip to True once 4k is confirmed on the official omni-video endpoint (providers.md B).
KLING_V3_4K = False


@dataclass(frozen=True)
class Capability:
    dialect: str
    model: str
    multi_shot: bool
    shots: tuple[int, int] | None  # shots in a multi-shot job
    min_shot_seconds: int | None
    total_seconds: tuple[int, int]
    seconds_choices: tuple[int, ...] | None  # only these totals (apimart o1)
    seconds_text_or_first_frame: tuple[int, ...] | None  # only these for text-only/first-frame
    prompt_chars: int
    shot_prompt_chars: int | None
    negative_prompt_chars: int | None  # None: the dialect has no negative prompt
    slots: int
    slots_with_video: int
    elements_with_first_frame: int
    video_elements: bool
    subjects: int | None  # APIMart inline subjects per job
    subject_images: tuple[int, int] | None
    modes: tuple[str, ...]
    aspect_ratios: tuple[str, ...]
    count: tuple[int, int]
    audio: str  # yes / no / unverified / preview (see module docstring)
    vip_min_seconds: int | None  # useapi: a total of this many seconds or more needs VIP
    vip_min_count: int | None
    vip_modes: tuple[str, ...]
    public_media: bool  # references must be reachable by public URL
    element_ids_required: bool  # elements must already exist on the account (cometapi)
    notes: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def target(self) -> Target:
        return Target(self.dialect, self.model)

    def note(self, name: str) -> str:
        return self.notes.get(name, "")


def _noted(column: str, cap: Capability, **specific: str) -> Capability:
    """Give every value of ``cap`` a note: the specific one, else the rules.md column."""
    notes = {f.name: f"rules.md table, {column}" for f in fields(Capability)}
    del notes["notes"], notes["dialect"], notes["model"]
    notes.update(specific)
    return replace(cap, notes=notes)


_USEAPI_O1 = _noted(
    "useapi o1",
    Capability(
        dialect="useapi",
        model="o1",
        multi_shot=False,
        shots=None,
        min_shot_seconds=None,
        total_seconds=(3, 10),
        seconds_choices=None,
        seconds_text_or_first_frame=None,
        prompt_chars=1700,
        shot_prompt_chars=None,
        negative_prompt_chars=None,
        slots=7,
        slots_with_video=4,
        elements_with_first_frame=3,
        video_elements=False,
        subjects=None,
        subject_images=None,
        modes=("std", "pro"),
        aspect_ratios=("16:9", "9:16", "1:1", "auto"),
        count=(1, 4),
        audio="no",
        vip_min_seconds=7,
        vip_min_count=2,
        vip_modes=(),
        public_media=False,
        element_ids_required=False,
    ),
    total_seconds="providers.md A: duration o1 3-10",
    prompt_chars="providers.md A: prompt <= 1700 chars",
    count="providers.md A: count 1-4, 2-4 VIP only",
    vip_min_seconds="providers.md A: >= 7 s needs a VIP Kling plan",
    vip_min_count="providers.md A: count 2-4 VIP only",
    slots_with_video="providers.md A: 'Video reference supports maximum 4 images'",
    aspect_ratios="providers.md A: 16:9, 9:16, 1:1, auto",
    public_media="providers.md A: references uploaded via POST /assets",
)
_USEAPI_V3 = _noted(
    "useapi v3",
    replace(
        _USEAPI_O1,
        model="v3",
        multi_shot=True,
        shots=(2, 6),
        min_shot_seconds=1,
        total_seconds=(3, 15),
        shot_prompt_chars=512,
        video_elements=True,
        modes=("std", "pro", "4k"),
        audio="unverified",
        vip_modes=("4k",),
    ),
    total_seconds="providers.md A: duration v3 3-15",
    shots="providers.md A: shot_1..shot_6, 2-6 shots, no gaps",
    prompt_chars="providers.md A: prompt <= 1700 chars",
    modes="providers.md A: 4k v3 only, VIP",
    vip_modes="providers.md A: 4k VIP only",
    vip_min_seconds="providers.md A: >= 7 s needs a VIP Kling plan",
    vip_min_count="providers.md A: count 2-4 VIP only",
    count="providers.md A: count 1-4",
    audio="rules.md: [unverified: off]; providers.md: not sent",
    video_elements="rules.md: yes, not with a reference video",
)
_KLING_O1 = _noted(
    "kling/cometapi o1",
    replace(
        _USEAPI_O1,
        dialect="kling",
        seconds_text_or_first_frame=(5, 10),
        prompt_chars=2500,
        aspect_ratios=("16:9", "9:16", "1:1"),
        count=(1, 1),
        vip_min_seconds=None,
        vip_min_count=None,
    ),
    total_seconds="providers.md B: duration o1 3-10",
    seconds_text_or_first_frame="providers.md B: o1 text-to-video and first-frame: 5 or 10 only",
    prompt_chars="providers.md B: prompt <= 2500 chars",
    aspect_ratios="providers.md B: 16:9, 9:16, 1:1",
)
_KLING_V3 = _noted(
    "kling/cometapi v3",
    replace(
        _KLING_O1,
        model="v3",
        multi_shot=True,
        shots=(2, 6),
        min_shot_seconds=1,
        total_seconds=(3, 15),
        seconds_text_or_first_frame=None,
        shot_prompt_chars=512,
        video_elements=True,
        modes=("std", "pro", "4k") if KLING_V3_4K else ("std", "pro"),
        audio="yes",
    ),
    shots="rules.md: 2-6 (API takes 1-6; one shot is sent as single-shot)",
    total_seconds="providers.md B: duration v3 3-15",
    shot_prompt_chars="providers.md B: multi_prompt prompt <= 512 chars",
    modes="providers.md B: 4k for v3 [unverified]: only when KLING_V3_4K is set",
    audio="providers.md B: sound on/off",
)
_APIMART_O1 = _noted(
    "apimart o1",
    replace(
        _KLING_O1,
        dialect="apimart",
        total_seconds=(5, 10),
        seconds_choices=(5, 10),
        seconds_text_or_first_frame=None,
        negative_prompt_chars=2500,
        subjects=3,
        subject_images=(2, 4),
        public_media=True,
    ),
    total_seconds="providers.md D: kling-video-o1 5 or 10 s",
    seconds_choices="providers.md D: kling-video-o1 5 or 10 s",
    negative_prompt_chars="providers.md D: negative_prompt <= 2500",
    subjects="providers.md D: <= 3 on-the-fly subjects",
    subject_images="providers.md D: element_input_urls 2-4 images, first = frontal",
    public_media="providers.md D: media must be reachable by public URL",
)
_APIMART_V3 = _noted(
    "apimart v3",
    replace(
        _APIMART_O1,
        model="v3",
        multi_shot=True,
        shots=(2, 6),
        min_shot_seconds=1,
        total_seconds=(3, 15),
        seconds_choices=None,
        shot_prompt_chars=512,
        modes=("std", "pro", "4k"),
        audio="yes",
    ),
    total_seconds="providers.md D: duration integer 3-15",
    modes="providers.md D: std, pro, 4k",
    video_elements="rules.md: no (subjects are image-based)",
    audio="providers.md D: audio bool",
    subjects="providers.md D: <= 3 on-the-fly subjects",
    subject_images="providers.md D: element_input_urls 2-4 images, first = frontal",
    public_media="providers.md D: media must be reachable by public URL",
)
_ANIMATIC = _noted(
    "animatic (local)",
    replace(
        _KLING_V3,
        dialect="animatic",
        modes=("std", "pro", "4k"),
        audio="preview",
    ),
    modes="rules.md: any (renders a 720p-class preview)",
    audio="rules.md: no native audio; the preview is silent (warning only)",
    negative_prompt_chars="rules.md: '-' for the animatic: the preview ignores it",
)

CAPABILITIES: dict[tuple[str, str], Capability] = {
    ("useapi", "o1"): _USEAPI_O1,
    ("useapi", "v3"): _USEAPI_V3,
    ("kling", "o1"): _KLING_O1,
    ("kling", "v3"): _KLING_V3,
    ("cometapi", "o1"): replace(_KLING_O1, dialect="cometapi"),
    ("cometapi", "v3"): replace(
        _KLING_V3,
        dialect="cometapi",
        element_ids_required=True,
        notes={**_KLING_V3.notes, "element_ids_required": "providers.md C: no element route"},
    ),
    ("apimart", "o1"): _APIMART_O1,
    ("apimart", "v3"): _APIMART_V3,
    ("animatic", "o1"): replace(_ANIMATIC, model="o1"),
    ("animatic", "v3"): _ANIMATIC,
}
# cometapi o1 also has no element route
CAPABILITIES["cometapi", "o1"] = replace(CAPABILITIES["cometapi", "o1"], element_ids_required=True)

TARGETS: tuple[Target, ...] = tuple(Target(d, m) for d in DIALECTS for m in MODELS)


def capability_for(target: Target) -> Capability | None:
    """The row for ``target``, or None for an unknown dialect/model."""
    return CAPABILITIES.get((target.dialect, target.model))
