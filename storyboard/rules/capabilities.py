"""The capability table, as data.

One :class:`Capability` per (dialect, model). Every value is a keyword in a record below, so
changing a vendor limit is a one-line change. Each value carries a short source note in
``Capability.notes`` (field name -> note): the vendor page, seed or third-party client it was
read from; values with no specific note say which row they were inherited from.

Decisions taken where the sources leave room (each one also noted in the row):
- ``audio``: ``"yes"`` (sent), ``"no"`` (audio on is an error), ``"unverified"`` (useapi v3: not
  sent, so audio on is a warning), ``"preview"`` (animatic: the preview is silent, a warning).
- kling o1 and both CometAPI models take 5 or 10 s for a text-only job or one whose only
  reference is a first frame (``seconds_text_or_first_frame``); APIMart o1 always takes 5 or 10
  (``seconds_choices``).
- 4K on kling/cometapi v3 is unverified on that endpoint: off unless ``KLING_V3_4K`` is True.
- ``url_only``: kinds of media the vendor fetches by URL and never takes inline (``"video"`` =
  the reference video and video elements' clips). With ``public_media`` every medium goes by URL.
- ``element_voices``: which element voices the dialect sends (``"id"`` a voice id, ``"clip"`` a
  clip to clone); any other voice is dropped, with a warning. ``voice_tags``: the element tags
  that may carry a voice (useapi: character only); None = any.
- The animatic takes kling v3's limits for both models, so a previewed storyboard submits unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from .model import Target

DIALECTS = ("useapi", "kling", "cometapi", "apimart", "animatic")
DIALECT_NAMES = {
    "useapi": "useapi",
    "kling": "Kling",
    "cometapi": "CometAPI",
    "apimart": "APIMart",
    "animatic": "the animatic",
}
MODELS = ("o1", "v3")

# Flip to True once 4k is confirmed on the official omni-video endpoint.
KLING_V3_4K = False
# The voices a Kling element carries on the official API: the adapter sends a voice id as
# `element_voice_id` (video elements only) and drops a clip to clone. Change it here and the
# check's "voice dropped" warning follows.
KLING_ELEMENT_VOICES: tuple[str, ...] = ("id",)

# Where the values come from (documentation nobody here wrote).
USEAPI = "useapi.net Kling v1 docs, POST /videos/omni"
USEAPI_ELEMENTS = "useapi.net Kling v1 docs, POST /elements"
KLING = (
    "Kling omni-video docs (copies: WHQ25/rawgenai docs/research/kling/; "
    "comfyanonymous/ComfyUI comfy_api_nodes/apis/kling_api.py)"
)
KLING_ELEMENTS = "Kling element docs (QuantumNous/new-api relay/channel/task/kling/)"
COMETAPI = "apidoc.cometapi.com, api/video/kling/omni-video"
APIMART_V3 = "docs.apimart.ai, api-reference/videos/kling-v3-omni/generation"
APIMART_O1 = "docs.apimart.ai, api-reference/videos/kling-video-o1/generation"


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
    main_prompt_with_shots: str  # "sent" beside the shots, "not_sent", "preview" (animatic)
    slots: int
    slots_with_video: int
    elements_with_first_frame: int
    elements: bool  # elements (by id or created for the job) are offered at all
    video_elements: bool
    element_ids_integer: bool  # element ids are sent as integers (int64)
    element_voices: tuple[str, ...]  # voices sent with an element: "id", "clip"
    voice_tags: tuple[str, ...] | None  # element tags that may carry a voice; None = any
    base_video: bool  # a `base` (edit) reference video is offered
    modes: tuple[str, ...]
    aspect_ratios: tuple[str, ...]
    count: tuple[int, int]
    audio: str  # yes / no / unverified / preview (see module docstring)
    vip_min_seconds: int | None  # useapi: a total of this many seconds or more needs VIP
    vip_min_count: int | None
    vip_modes: tuple[str, ...]
    public_media: bool  # every reference must be reachable by public URL
    url_only: tuple[str, ...]  # media kinds sent by URL only ("video"), see the docstring
    element_ids_required: bool  # elements must already exist on the account (cometapi)
    notes: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def dialect_label(self) -> str:
        """The vendor's name for messages ("APIMart")."""
        return DIALECT_NAMES.get(self.dialect, self.dialect)

    @property
    def target(self) -> Target:
        return Target(self.dialect, self.model)

    def note(self, name: str) -> str:
        return self.notes.get(name, "")


def _noted(
    row: str, cap: Capability, base: Capability | None = None, **specific: str
) -> Capability:
    """Give every value of ``cap`` a note: the specific one, else the note of the same value in
    ``base`` (the row it was derived from), else "default of the <row> row"."""
    notes = {
        f.name: (base.note(f.name) if base is not None else "") or f"default of the {row} row"
        for f in fields(Capability)
        if f.name not in ("notes", "dialect", "model")
    }
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
        main_prompt_with_shots="not_sent",
        slots=7,
        slots_with_video=4,
        elements_with_first_frame=3,
        elements=True,
        video_elements=False,
        element_ids_integer=False,
        element_voices=("id", "clip"),
        voice_tags=("character",),
        base_video=False,
        modes=("std", "pro"),
        aspect_ratios=("16:9", "9:16", "1:1", "auto"),
        count=(1, 4),
        audio="no",
        vip_min_seconds=7,
        vip_min_count=2,
        vip_modes=(),
        public_media=False,
        url_only=(),
        element_ids_required=False,
    ),
    total_seconds=f"{USEAPI}: duration o1 3-10",
    prompt_chars=f"{USEAPI}: prompt <= 1700 chars",
    count=f"{USEAPI}: count 1-4, 2-4 VIP only",
    vip_min_seconds=f"{USEAPI}: 7 s or more needs a VIP Kling plan",
    vip_min_count=f"{USEAPI}: count 2-4 VIP only",
    slots_with_video=f"{USEAPI}: 400 'Video reference supports maximum 4 images'",
    aspect_ratios=f"{USEAPI}: 16:9, 9:16, 1:1, auto",
    public_media=f"{USEAPI}: references are uploaded through POST /assets first",
    url_only=f"{USEAPI}: every reference is uploaded through POST /assets",
    main_prompt_with_shots=f"{USEAPI}: multi-shot parameters cannot be combined with prompt "
    "or duration (the vendor's batch script stops on it too)",
    element_voices=f"{USEAPI_ELEMENTS}: voice = a voice id or a clip to clone",
    voice_tags=f"{USEAPI_ELEMENTS}: voice, character tag only (seed 000)",
    base_video=f"{USEAPI}: video_1 is documented as a reference only, with no refer_type",
    elements=f"{USEAPI}: element_1..element_7, ids from POST /elements",
    element_ids_integer=f"{USEAPI_ELEMENTS}: ids are strings 'u_...'",
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
    _USEAPI_O1,
    total_seconds=f"{USEAPI}: duration v3 3-15",
    shots=f"{USEAPI}: shot_1..shot_6, 2-6 shots, no gaps",
    min_shot_seconds=f"{USEAPI}: shot_N_duration, whole seconds",
    shot_prompt_chars="the official multi_prompt limit (512), which useapi forwards",
    modes=f"{USEAPI}: 4k v3 only, VIP",
    vip_modes=f"{USEAPI}: 4k VIP only",
    audio=f"[unverified] {USEAPI} documents no audio field: not sent",
    video_elements=f"{USEAPI_ELEMENTS}: video elements, v3 only; not with a reference video",
)
_KLING_O1 = _noted(
    "kling o1",
    replace(
        _USEAPI_O1,
        dialect="kling",
        seconds_text_or_first_frame=(5, 10),
        prompt_chars=2500,
        aspect_ratios=("16:9", "9:16", "1:1"),
        count=(1, 1),
        vip_min_seconds=None,
        vip_min_count=None,
        element_ids_integer=True,
        element_voices=KLING_ELEMENT_VOICES,
        voice_tags=None,
        base_video=True,
        url_only=("video",),
    ),
    total_seconds=f"{KLING}: duration o1 3-10",
    seconds_text_or_first_frame=f"{KLING}: o1 text-to-video and first-frame: 5 or 10 only",
    prompt_chars=f"{KLING}: prompt <= 2500 chars",
    aspect_ratios=f"{KLING}: 16:9, 9:16, 1:1",
    count=f"{KLING}: one video per task (no count field)",
    slots_with_video=f"{KLING}: images + elements <= 4 with a reference video, else 7",
    slots=f"{KLING}: images + elements <= 7 without a reference video",
    element_ids_integer=f"{KLING}: element_list[].element_id is an int64 (also new-api, ComfyUI)",
    element_voices="the kling adapter sends element_voice_id for a voice id on a video element "
    f"({KLING_ELEMENTS}: video elements only); a clip to clone is not sent",
    base_video=f"{KLING}: video_list[].refer_type base (edit) or feature",
    url_only=f"{KLING}: video_list[].video_url is a URL only, never base64",
    public_media=f"{KLING}: images go as a URL or base64",
    main_prompt_with_shots=f"{KLING}: with multi_shot true, prompt is ignored",
    elements=f"{KLING}: element_list from the account's element library",
    audio=f"{KLING}: o1 has no sound field",
)
_KLING_V3 = _noted(
    "kling v3",
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
    _KLING_O1,
    shots=f"{KLING}: multi_prompt takes 1-6 shots; one shot is sent as a single-shot job",
    total_seconds=f"{KLING}: duration v3 3-15",
    seconds_text_or_first_frame=f"{KLING}: the 5-or-10 rule is documented for o1 only",
    shot_prompt_chars=f"{KLING}: multi_prompt prompt <= 512 chars",
    min_shot_seconds=f"{KLING}: each multi_prompt duration >= 1",
    modes=f"[unverified] {KLING}: 4k for v3 only when KLING_V3_4K is set",
    audio=f"{KLING}: sound on/off (v3)",
    video_elements=f"{KLING_ELEMENTS}: reference_type video_refer (v3)",
)
_COMETAPI_DURATIONS = (
    f"{COMETAPI}: 'Text-to-video and first-frame-to-video only support 5 and 10', on both "
    "models (the vendor examples, seed 003)"
)
_COMETAPI_ELEMENTS = f"{COMETAPI}: element ids only; no element-creation route is documented"
_COMETAPI_VOICES = (
    "elements are not created on CometAPI: one sent as its frontal image loses its voice"
)
_COMETAPI_O1 = _noted(
    "cometapi o1",
    replace(_KLING_O1, dialect="cometapi", element_ids_required=True, element_voices=()),
    _KLING_O1,
    seconds_text_or_first_frame=_COMETAPI_DURATIONS,
    element_ids_required=_COMETAPI_ELEMENTS,
    element_voices=_COMETAPI_VOICES,
    url_only=f"{COMETAPI}: the official body passed through; video_url by URL",
)
_COMETAPI_V3 = _noted(
    "cometapi v3",
    replace(
        _KLING_V3,
        dialect="cometapi",
        seconds_text_or_first_frame=(5, 10),
        element_ids_required=True,
        element_voices=(),
    ),
    _KLING_V3,
    seconds_text_or_first_frame=_COMETAPI_DURATIONS,
    element_ids_required=_COMETAPI_ELEMENTS,
    element_voices=_COMETAPI_VOICES,
    url_only=f"{COMETAPI}: the official body passed through; video_url by URL",
)
_APIMART_NO_ELEMENTS = (
    f"{APIMART_V3} and {APIMART_O1} document no elements or subjects field: not offered"
)
_APIMART_O1 = _noted(
    "apimart o1",
    replace(
        _KLING_O1,
        dialect="apimart",
        total_seconds=(5, 10),
        seconds_choices=(5, 10),
        seconds_text_or_first_frame=None,
        main_prompt_with_shots="sent",
        elements=False,
        element_ids_integer=False,
        element_voices=(),
        public_media=True,
        url_only=("image", "video"),
    ),
    _KLING_O1,
    total_seconds=f"{APIMART_O1}: duration 5 or 10",
    seconds_choices=f"{APIMART_O1}: duration 5 or 10",
    modes=f"{APIMART_O1}: std, pro",
    aspect_ratios=f"{APIMART_O1}: 16:9, 9:16, 1:1",
    negative_prompt_chars="[unverified] the o1 page documents no negative_prompt: not offered",
    elements=_APIMART_NO_ELEMENTS,
    element_ids_integer=_APIMART_NO_ELEMENTS,
    element_voices=_APIMART_NO_ELEMENTS,
    base_video=f"{APIMART_O1}: video_list refer_type base (default) or feature",
    public_media=f"{APIMART_O1}: image_urls and 'reference video list (URL-based)'",
    url_only=f"{APIMART_O1}: image_urls and 'reference video list (URL-based)'",
    main_prompt_with_shots=f"{APIMART_V3}: prompt is required, also beside multi_prompt",
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
        negative_prompt_chars=2500,
        modes=("std", "pro", "4k"),
        audio="yes",
    ),
    _APIMART_O1,
    total_seconds=f"{APIMART_V3}: duration an integer 3-15",
    seconds_choices=f"{APIMART_V3}: any whole second in the range",
    negative_prompt_chars=f"{APIMART_V3}: negative_prompt <= 2500 chars",
    modes=f"{APIMART_V3}: std, pro, 4k",
    audio=f"{APIMART_V3}: audio bool, exclusive with video_list",
    shots=f"{KLING}: multi_prompt 1-6 (APIMart mirrors the official multi-shot fields)",
    shot_prompt_chars=f"{KLING}: multi_prompt prompt <= 512 chars",
    min_shot_seconds=f"{KLING}: each multi_prompt duration >= 1",
    base_video=f"{APIMART_V3}: video_list refer_type base (default) or feature",
    public_media=f"{APIMART_V3}: image_urls, image_with_roles and a URL-based video_list",
    url_only=f"{APIMART_V3}: image_urls, image_with_roles and a URL-based video_list",
)
_ANIMATIC = _noted(
    "animatic (local)",
    replace(
        _KLING_V3,
        dialect="animatic",
        modes=("std", "pro", "4k"),
        audio="preview",
        main_prompt_with_shots="preview",
        element_voices=("id", "clip"),
        url_only=(),
    ),
    _KLING_V3,
    modes="local preview: any mode (renders a 720p-class preview)",
    audio="local preview: no native audio; the preview is silent (warning only)",
    negative_prompt_chars="local preview: the preview ignores a negative prompt",
    main_prompt_with_shots="local preview: renders the shot prompts only",
    element_voices="local preview: silent, so no voice is 'dropped'",
    url_only="local preview: renders local files",
)

CAPABILITIES: dict[tuple[str, str], Capability] = {
    ("useapi", "o1"): _USEAPI_O1,
    ("useapi", "v3"): _USEAPI_V3,
    ("kling", "o1"): _KLING_O1,
    ("kling", "v3"): _KLING_V3,
    ("cometapi", "o1"): _COMETAPI_O1,
    ("cometapi", "v3"): _COMETAPI_V3,
    ("apimart", "o1"): _APIMART_O1,
    ("apimart", "v3"): _APIMART_V3,
    ("animatic", "o1"): replace(_ANIMATIC, model="o1"),
    ("animatic", "v3"): _ANIMATIC,
}

TARGETS: tuple[Target, ...] = tuple(Target(d, m) for d in DIALECTS for m in MODELS)


def capability_for(target: Target) -> Capability | None:
    """The row for ``target``, or None for an unknown dialect/model."""
    return CAPABILITIES.get((target.dialect, target.model))
