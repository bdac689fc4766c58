"""Text that no database here can store: a NUL character (PostgreSQL refuses it in text) and a
lone UTF-16 surrogate such as ``\\ud800`` (neither SQLite nor PostgreSQL can encode it). Both
can only arrive through JSON escapes (``"\\u0000"``, ``"\\ud800"``): form posts decode invalid
bytes to U+FFFD and the NUL middleware drops NULs from form fields. Inputs that parse JSON
(batch files, imports, the API) find them here and refuse with the place, before anything is
written."""

from __future__ import annotations

import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """What in ``text`` cannot be stored, said for a person, or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "contains a NUL character (U+0000), which cannot be stored: remove it"
    return (f"contains a lone surrogate (U+{ord(char):04X}), which is not a character: "
            "fix the text's encoding")


def first_unstorable(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first string in a parsed JSON value (keys included) that cannot be stored:
    (where, why), ``where`` like ``shots[1].prompt``; or None."""
    if isinstance(value, str):
        why = unstorable(value)
        return (path or "value", why) if why else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            why = unstorable(str(key))
            if why:
                return (f"{path or 'item'} key {key!r}", why)
            found = first_unstorable(item, here)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = first_unstorable(item, f"{path}[{i}]")
            if found:
                return found
    return None
