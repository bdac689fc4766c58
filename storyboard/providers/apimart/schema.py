"""The body APIMart documents for Kling v3 Omni (docs.apimart.ai, videos/kling-v3-omni/
generation), as a JSON Schema in our own words. Only fields that page shows are allowed: a field
no APIMart page documents (an elements/subjects field, webhook, watermark) fails validation.
`multi_shot`/`shot_type`/`multi_prompt` and the `video_list` item keys follow the official
schema the page says it mirrors [unverified: the page's field list was read only in part]."""

from __future__ import annotations

from typing import Any

from ..kling.schema import problems

GENERATIONS_CREATE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["model", "prompt"],
    "properties": {
        "model": {"enum": ["kling-v3-omni"]},
        "prompt": {"type": "string", "minLength": 1},
        "negative_prompt": {"type": "string", "maxLength": 2500},
        "mode": {"enum": ["std", "pro", "4k"]},
        # "Must be a plain number (e.g. 6), do not add quotes"
        "duration": {"type": "integer", "minimum": 3, "maximum": 15},
        "aspect_ratio": {"enum": ["16:9", "9:16", "1:1"]},
        "image_urls": {"type": "array", "items": {"type": "string", "pattern": "^https?://"}},
        "image_with_roles": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["url", "role"],
            "properties": {"url": {"type": "string", "pattern": "^https?://"},
                           "role": {"enum": ["first_frame", "last_frame", "reference"]}}}},
        "video_list": {"type": "array", "maxItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["video_url"],
            "properties": {"video_url": {"type": "string", "pattern": "^https?://"},
                           "refer_type": {"enum": ["base", "feature"]},
                           "keep_original_sound": {"enum": ["yes", "no"]}}}},
        "audio": {"type": "boolean"},
        "multi_shot": {"type": "boolean"},
        "shot_type": {"enum": ["customize"]},
        "multi_prompt": {"type": "array", "minItems": 1, "maxItems": 6, "items": {
            "type": "object", "additionalProperties": False,
            "required": ["index", "prompt", "duration"],
            "properties": {"index": {"type": "integer", "minimum": 1},
                           "prompt": {"type": "string"},
                           "duration": {"type": "integer", "minimum": 1}}}},
    },
    "not": {"required": ["image_urls", "image_with_roles"]},  # mutually exclusive
}


def create_body_problems(body: Any) -> list[str]:
    return problems(GENERATIONS_CREATE, body)
