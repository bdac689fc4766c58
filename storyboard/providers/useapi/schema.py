"""The bodies useapi.net documents (useapi.net/docs/api-kling-v1: POST /videos/omni and
POST /elements), as JSON Schemas in our own words. Used by the contract tests; the sandbox can
validate with the same functions."""

from __future__ import annotations

from typing import Any

from ..kling.schema import problems

_SECONDS = {"type": "string", "pattern": "^(?:[1-9]|1[0-5])$"}  # strings in every example
_UPLOAD = {"type": "string", "pattern": "^https?://"}  # URLs from POST /assets

_properties: dict[str, Any] = {
    "email": {"type": "string"},
    "omni_version": {"enum": ["o1", "v3"]},
    "prompt": {"type": "string", "minLength": 1, "maxLength": 1700},
    "duration": {"type": "string", "pattern": "^(?:[3-9]|1[0-5])$"},
    "aspect_ratio": {"enum": ["16:9", "9:16", "1:1", "auto"]},
    "mode": {"enum": ["std", "pro", "4k"]},
    "count": {"type": "integer", "minimum": 1, "maximum": 4},
    "video_1": _UPLOAD,
    "frame_start": _UPLOAD,
    "frame_end": _UPLOAD,
    "maxJobs": {"type": "integer", "minimum": 1, "maximum": 50},
    "replyUrl": {"type": "string", "pattern": "^https?://"},
    "replyRef": {"type": "string"},
}
for _n in range(1, 8):
    _properties[f"image_{_n}"] = _UPLOAD
    _properties[f"element_{_n}"] = {"type": "string", "minLength": 1}
for _n in range(1, 7):
    _properties[f"shot_{_n}_prompt"] = {"type": "string", "minLength": 1}
    _properties[f"shot_{_n}_duration"] = _SECONDS

_SHOT_KEYS = [f"shot_{n}_prompt" for n in range(1, 7)]
VIDEOS_OMNI_CREATE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": _properties,
    # Multi-shot parameters cannot be combined with prompt or duration; without shots, a
    # prompt is required. Shots are numbered with no gaps, each with its duration.
    "oneOf": [
        {"required": ["prompt"], "not": {"anyOf": [{"required": [k]} for k in _SHOT_KEYS]}},
        {"required": ["shot_1_prompt", "shot_2_prompt"],
         "not": {"anyOf": [{"required": ["prompt"]}, {"required": ["duration"]}]}},
    ],
    "dependentRequired": {
        **{f"shot_{n}_prompt": [f"shot_{n - 1}_prompt", f"shot_{n}_duration"]
           for n in range(2, 7)},
        "shot_1_prompt": ["shot_1_duration"],
    },
}

ELEMENT_CREATE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "email": {"type": "string"},
        "name": {"type": "string", "minLength": 1, "maxLength": 15},
        "description": {"type": "string", "maxLength": 100},
        "coverImage": _UPLOAD,
        "video": _UPLOAD,
        "tag": {"type": "string", "minLength": 1},  # an id or a key ("1" or "character")
        "extraImage1": _UPLOAD, "extraImage2": _UPLOAD, "extraImage3": _UPLOAD,
        "generateViews": {"type": "boolean"},
        "voice": {"type": "string", "minLength": 1},
    },
    "oneOf": [{"required": ["coverImage"], "not": {"required": ["video"]}},
              {"required": ["video"], "not": {"required": ["coverImage"]}}],
    # A voice: character tag only.
    "dependentSchemas": {"voice": {"required": ["tag"],
                                   "properties": {"tag": {"enum": ["character", "1"]}}}},
}


def create_body_problems(body: Any) -> list[str]:
    return problems(VIDEOS_OMNI_CREATE, body)


def element_body_problems(body: Any) -> list[str]:
    return problems(ELEMENT_CREATE, body)
