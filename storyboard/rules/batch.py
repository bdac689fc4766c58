"""The batch file format (docs/command-line.md, “The batch file format”: the useapi batch script's
``prompts.json``).

A JSON list of items, or a single item. Item keys:

- single shot: ``prompt``, ``duration`` (``"5"`` or 5); multi-shot: ``shots`` =
  ``[{"prompt", "duration"}, ...]``. A ``prompt`` beside ``shots`` is kept as the main prompt:
  an error (``prompt_with_shots``) for a dialect that cannot send both (useapi documents that
  multi-shot parameters cannot be combined with ``prompt``; Kling ignores ``prompt`` in
  multi-shot), a warning for APIMart, which sends it beside the shots. A ``duration`` beside
  ``shots`` is ignored with a warning;
- ``omni_version`` (model), ``mode``, ``aspect_ratio``, ``count``; defaults v3, 16:9, std, 5 s;
- ``image_1..7``, ``element_1..7``, ``video_1``: a string (URL, local path, element id or library
  name). This app also accepts an object, written only when a string cannot say it all:
  images ``{"ref", "role"}``; ``video_1`` ``{"ref", "refer_type", "keep_original_sound"}``
  (a plain string is a ``feature`` reference); elements ``{"ref", "name", "description",
  "is_video_element", "frontal_image", "extra_images", "tag", "voice"}`` (``voice``: ``"id"``
  or ``"clip"``, the kind of voice the element carries);
- app extensions, written only when not default: ``title``, ``audio``, ``negative_prompt``;
- keys starting with ``__`` are comments and ignored; any other unknown key is ignored with an
  ``unknown_key`` warning naming it; a slot-shaped key that is no slot (``image_9``) is kept so
  the checks report it as ``slot_unknown``.

Structural mistakes (not JSON, an item that is not an object, ``shots`` not a list, a prompt
that is not a string...) raise :class:`BatchFormatError` with a message saying where; value
mistakes (``duration: "abc"``, 50 shots, a huge prompt) are left for the checks to report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .capabilities import capability_for
from .model import (
    SLOT_NAMES,
    SLOT_PATTERN,
    VOICE_KINDS,
    Attachment,
    Settings,
    Shot,
    Storyboard,
    Target,
    parse_whole_seconds,
    slot_kind,
)
from .report import ERROR, WARNING, Problem
from .storable import first_unstorable

DEFAULT_MODEL = "v3"
SCALAR_KEYS = ("prompt", "omni_version", "mode", "aspect_ratio", "title", "negative_prompt")
KNOWN_KEYS = frozenset((*SCALAR_KEYS, "duration", "count", "audio", "shots", *SLOT_NAMES))
SHOT_KEYS = frozenset(("prompt", "duration"))
ATTACHMENT_KEYS = {
    "image": frozenset(("ref", "role")),
    "video": frozenset(("ref", "refer_type", "keep_original_sound")),
    "element": frozenset(
        (
            "ref",
            "name",
            "description",
            "is_video_element",
            "frontal_image",
            "extra_images",
            "tag",
            "voice",
        )
    ),
}


class BatchFormatError(ValueError):
    """The file is not in the batch format; the message says where."""


@dataclass
class BatchItem:
    storyboard: Storyboard
    problems: list[Problem] = field(default_factory=list)  # reading warnings (unknown keys)


@dataclass
class BatchFile:
    items: list[BatchItem]
    is_list: bool  # the file held a list (the commands then print a list)


def _type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), "a value")


def _want(value: Any, kind: type, where: str, what: str) -> Any:
    if not isinstance(value, kind):
        raise BatchFormatError(f"{where}: {what}, not {_type_name(value)}")
    return value


def _attachment(slot: str, value: Any, where: str) -> Attachment | None:
    kind = slot_kind(slot) or "image"
    if value is None or value == "":
        return None  # an empty slot
    if isinstance(value, str):
        return Attachment(ref=value)
    if not isinstance(value, dict):
        raise BatchFormatError(
            f"{where}: '{slot}' must be a string (a URL, a path, an element "
            f"id or a library name) or an object, not {_type_name(value)}"
        )
    extra = sorted(k for k in value if k not in ATTACHMENT_KEYS[kind] and not k.startswith("__"))
    if extra:
        raise BatchFormatError(f"{where}: '{slot}' has unknown key(s) {', '.join(extra)}")
    ref = _want(value.get("ref"), str, where, f"'{slot}.ref' must be a string")
    text = {
        k: _want(value.get(k, ""), str, where, f"'{slot}.{k}' must be a string")
        for k in ("role", "refer_type", "name", "description", "tag", "voice")
        if k in value
    }
    if text.get("voice", "") not in ("", *VOICE_KINDS):
        raise BatchFormatError(f"{where}: '{slot}.voice' must be \"id\" or \"clip\"")
    flags = {
        k: _want(value[k], bool, where, f"'{slot}.{k}' must be true or false")
        for k in ("keep_original_sound", "is_video_element")
        if k in value
    }
    frontal = value.get("frontal_image")
    if frontal is not None:
        _want(frontal, str, where, f"'{slot}.frontal_image' must be a string")
    extras = _want(
        value.get("extra_images", []),
        list,
        where,
        f"'{slot}.extra_images' must be a list of strings",
    )
    for x in extras:
        _want(x, str, where, f"'{slot}.extra_images' must be a list of strings")
    return Attachment(ref=ref, frontal_image=frontal, extra_images=tuple(extras), **text, **flags)


def _shots(value: Any, where: str, problems: list[Problem]) -> tuple[Shot, ...]:
    _want(value, list, where, "'shots' must be a list")
    shots = []
    for i, raw in enumerate(value):
        at = f"{where}, shot {i + 1}"
        _want(raw, dict, at, "must be an object with 'prompt' and 'duration'")
        prompt = raw.get("prompt")
        if prompt is not None:
            _want(prompt, str, at, "'prompt' must be a string")
        for key in raw:
            if key not in SHOT_KEYS and not key.startswith("__"):
                problems.append(
                    Problem(
                        WARNING,
                        "unknown_key",
                        f"shots[{i}].{key}",
                        f'Shot {i + 1} has an unknown key "{key}"; it is ignored.',
                    )
                )
        shots.append(Shot(prompt or "", raw.get("duration")))
    return tuple(shots)


def _prompt_with_shots(where: str, dialect: str) -> Problem | None:
    """A main ``prompt`` beside ``shots``: what the dialect does with it, from the table."""
    cap = capability_for(Target(dialect, DEFAULT_MODEL))
    if cap is None or cap.main_prompt_with_shots == "preview":
        return None  # the animatic renders the shots; the check explains the rest
    whose = f"{where[0].upper()}{where[1:]}"
    if cap.main_prompt_with_shots == "sent":
        return Problem(
            WARNING,
            "prompt_with_shots",
            "prompt",
            f'{whose} has both "prompt" and "shots": {cap.dialect_label} sends "prompt" as the '
            f"main prompt beside the shot prompts.",
        )
    return Problem(
        ERROR,
        "prompt_with_shots",
        "prompt",
        f'{whose} has both "prompt" and "shots", and {cap.dialect_label} cannot send a main '
        f'prompt beside the shots: move its text into the shots or remove "prompt".',
    )


def read_item(raw: Any, where: str, dialect: str = "useapi") -> BatchItem:
    """One item (a dict) as a storyboard for ``dialect``; ``where`` prefixes error messages."""
    _want(raw, dict, where, "must be a JSON object (one storyboard)")
    problems: list[Problem] = []
    for key in SCALAR_KEYS:
        if raw.get(key) is not None:
            _want(raw[key], str, where, f"'{key}' must be a string")
    if "audio" in raw:
        _want(raw["audio"], bool, where, "'audio' must be true or false")
    multi = "shots" in raw
    shots = _shots(raw["shots"], where, problems) if multi else ()
    if multi and "duration" in raw:
        problems.append(
            Problem(
                WARNING,
                "duration_ignored",
                "duration",
                "This item has shots; its duration is ignored and the shots' "
                "durations are added up instead.",
            )
        )
    if multi and isinstance(raw.get("prompt"), str) and raw["prompt"].strip():
        problem = _prompt_with_shots(where, dialect)
        if problem is not None:
            problems.append(problem)
    attachments = {}
    for key, value in raw.items():
        if key.startswith("__"):
            continue
        if key in SLOT_NAMES or SLOT_PATTERN.fullmatch(key):
            att = _attachment(key, value, where)
            if att is not None:
                attachments[key] = att
        elif key not in KNOWN_KEYS:
            problems.append(
                Problem(WARNING, "unknown_key", key, f'Unknown key "{key}" is ignored.')
            )
    settings = Settings(
        title=raw.get("title") or "",
        mode=raw.get("mode") or "std",
        aspect_ratio=raw.get("aspect_ratio") or "16:9",
        duration=raw.get("duration", 5) if not multi else 5,
        count=raw.get("count", 1),
        audio=bool(raw.get("audio", False)),
        negative_prompt=raw.get("negative_prompt") or "",
        multi_shot=multi,
        prompt=raw.get("prompt") or "",
    )
    target = Target(dialect, raw.get("omni_version") or DEFAULT_MODEL)
    return BatchItem(Storyboard(settings, target, shots, attachments), problems)


def _refuse_unstorable(data: Any) -> None:
    """Text no database can store (NUL, lone surrogates from JSON escapes), named by item and
    field before anything is read further."""
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items):
        found = first_unstorable(item)
        if found:
            where, why = found
            whose = f"item {i + 1}" if isinstance(data, list) else "the storyboard"
            raise BatchFormatError(f"{whose}, {where}: {why}")


def parse_batch(text: str, dialect: str = "useapi") -> BatchFile:
    """Read a batch file's text. Raises :class:`BatchFormatError` saying where it went wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise BatchFormatError(f"not JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except (ValueError, RecursionError) as e:
        raise BatchFormatError(f"not JSON ({str(e)[:80]})") from None
    _refuse_unstorable(data)
    if isinstance(data, dict):
        return BatchFile([read_item(data, "the storyboard", dialect)], is_list=False)
    if not isinstance(data, list):
        raise BatchFormatError(
            f"the file must hold a storyboard (a JSON object) or a list of "
            f"them, not {_type_name(data)}"
        )
    if not data:
        raise BatchFormatError("the list is empty: there is no storyboard to read")
    return BatchFile([read_item(x, f"item {i + 1}", dialect) for i, x in enumerate(data)], True)


def _slot_value(slot: str, att: Attachment) -> str | dict[str, Any]:
    kind = slot_kind(slot)
    if kind == "image" and att.role != "reference":
        return {"ref": att.ref, "role": att.role}
    if kind == "video" and (att.refer_type != "feature" or att.keep_original_sound):
        return {
            "ref": att.ref,
            "refer_type": att.refer_type,
            "keep_original_sound": att.keep_original_sound,
        }
    if kind == "element" and (
        att.name
        or att.description
        or att.is_video_element
        or att.frontal_image
        or att.extra_images
        or att.tag
        or att.voice
    ):
        out = att.to_dict(slot)
        out["extra_images"] = list(att.extra_images)
        return {k: v for k, v in out.items() if v not in ("", None, False, [])}
    return att.ref


def to_item(sb: Storyboard) -> dict[str, Any]:
    """One storyboard as a batch item (vendor keys first; app extensions only when needed)."""
    st = sb.settings
    item: dict[str, Any] = {}
    if st.title:
        item["title"] = st.title
    if st.multi_shot:
        if st.prompt:
            item["prompt"] = st.prompt
        item["shots"] = [
            {"prompt": s.prompt, "duration": _duration_text(s.duration)} for s in sb.shots
        ]
    else:
        item["prompt"] = st.prompt
        item["duration"] = _duration_text(st.duration)
    item.update(omni_version=sb.target.model, mode=st.mode, aspect_ratio=st.aspect_ratio)
    if st.count not in (1, "1"):
        item["count"] = st.count
    if st.audio:
        item["audio"] = True
    if st.negative_prompt:
        item["negative_prompt"] = st.negative_prompt
    for slot, att in sb.sorted_attachments():
        item[slot] = _slot_value(slot, att)
    return item


def _duration_text(raw: Any) -> Any:
    """Whole durations as the batch script writes them ("5"); anything else unchanged."""
    n = parse_whole_seconds(raw)
    return str(n) if n is not None else raw


def dump_batch(storyboards: list[Storyboard], *, as_list: bool = True) -> str:
    """Batch file text for ``storyboards`` (a single object when ``as_list`` is False)."""
    items = [to_item(sb) for sb in storyboards]
    data: Any = items if as_list or len(items) != 1 else items[0]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
