"""The request bodies the official API documents, as JSON Schemas written in our own words from
its omni-video and element pages (copied in WHQ25/rawgenai docs/research/kling/; types as in
Comfy Router's mirror of the v3-omni schema). CometAPI passes this schema through unchanged.
Used by the contract tests; the sandbox can validate with the same functions."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

_DURATION = {"type": "string", "pattern": "^(?:[3-9]|1[0-5])$"}  # a string, "3".."15"
_URL_ONLY = {"type": "string", "pattern": "^https?://"}

OMNI_VIDEO_CREATE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["model_name"],
    "properties": {
        "model_name": {"enum": ["kling-video-o1", "kling-v3-omni"]},
        "prompt": {"type": "string", "maxLength": 2500},
        "negative_prompt": {"type": "string", "maxLength": 2500},
        "multi_shot": {"type": "boolean"},
        "shot_type": {"enum": ["customize", "intelligence"]},
        "multi_prompt": {
            "type": "array", "minItems": 1, "maxItems": 6,
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["index", "prompt", "duration"],
                      "properties": {"index": {"type": "integer", "minimum": 1},
                                     "prompt": {"type": "string", "maxLength": 512},
                                     "duration": {"type": "string",
                                                  "pattern": "^(?:[1-9]|1[0-5])$"}}}},
        "image_list": {
            "type": "array", "maxItems": 7,
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["image_url"],
                      # a URL or raw base64 (no data: prefix)
                      "properties": {"image_url": {"type": "string", "minLength": 1,
                                                   "not": {"pattern": "^data:"}},
                                     "type": {"enum": ["first_frame", "end_frame"]}}}},
        "element_list": {
            "type": "array", "maxItems": 7,
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["element_id"],
                      "properties": {"element_id": {"type": "integer"}}}},
        "video_list": {
            "type": "array", "maxItems": 1,
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["video_url"],
                      "properties": {"video_url": _URL_ONLY,
                                     "refer_type": {"enum": ["base", "feature"]},
                                     "keep_original_sound": {"enum": ["yes", "no"]}}}},
        "sound": {"enum": ["on", "off"]},
        "mode": {"enum": ["std", "pro", "4k"]},
        "aspect_ratio": {"enum": ["16:9", "9:16", "1:1"]},
        "duration": _DURATION,
        "watermark_info": {"type": "object", "additionalProperties": False,
                           "properties": {"enabled": {"type": "boolean"}}},
        "callback_url": _URL_ONLY,
        "external_task_id": {"type": "string", "minLength": 1},
    },
}

ELEMENT_CREATE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["element_name", "element_description", "reference_type"],
    "properties": {
        "element_name": {"type": "string", "minLength": 1, "maxLength": 20},
        "element_description": {"type": "string", "minLength": 1, "maxLength": 100},
        "reference_type": {"enum": ["image_refer", "video_refer"]},
        "element_image_list": {
            "type": "object", "additionalProperties": False,
            "required": ["frontal_image", "refer_images"],
            "properties": {"frontal_image": {"type": "string", "minLength": 1},
                           "refer_images": {"type": "array", "minItems": 1, "maxItems": 3,
                                            "items": {"type": "object",
                                                      "additionalProperties": False,
                                                      "required": ["image_url"],
                                                      "properties": {"image_url": {
                                                          "type": "string",
                                                          "minLength": 1}}}}}},
        "element_video_list": {
            "type": "object", "additionalProperties": False, "required": ["refer_videos"],
            "properties": {"refer_videos": {"type": "array", "minItems": 1, "maxItems": 1,
                                            "items": {"type": "object",
                                                      "additionalProperties": False,
                                                      "required": ["video_url"],
                                                      "properties": {"video_url": _URL_ONLY}}}}},
        "element_voice_id": {"type": "string", "minLength": 1},
        "tag_list": {"type": "array", "items": {
            "type": "object", "required": ["tag_id"], "additionalProperties": False,
            "properties": {"tag_id": {"pattern": "^o_10[1-8]$"}}}},
        "callback_url": _URL_ONLY,
        "external_task_id": {"type": "string"},
    },
    "allOf": [
        {"if": {"properties": {"reference_type": {"const": "image_refer"}}},
         "then": {"required": ["element_image_list"]}},
        {"if": {"properties": {"reference_type": {"const": "video_refer"}}},
         "then": {"required": ["element_video_list"]}},
    ],
}


def problems(schema: dict[str, Any], body: Any) -> list[str]:
    """Every place where ``body`` breaks ``schema``, as "path: message" lines (empty: valid)."""
    found = Draft202012Validator(schema).iter_errors(body)
    return sorted(f"{'.'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
                  for e in found)


def create_body_problems(body: Any) -> list[str]:
    return problems(OMNI_VIDEO_CREATE, body)


def element_body_problems(body: Any) -> list[str]:
    return problems(ELEMENT_CREATE, body)
