"""Typed helpers that read settings from the environment and fail loudly on bad values.

Modelled on healthchecks' `envbool`/`envint`: a typo in a deployment's environment must stop the
process at start-up with a message naming the variable, not surface later as odd behaviour.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ImproperEnv(ValueError):
    """An environment variable holds a value its setting cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperEnv(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperEnv(f"{name}={raw!r}: expected a whole number") from None
    if minimum is not None and value < minimum:
        raise ImproperEnv(f"{name}={value}: must be at least {minimum}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envurl(name: str, default: str = "", *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """A URL setting; empty means unset. Trailing slashes are dropped so joins stay predictable."""
    raw = os.environ.get(name, default).strip()
    if not raw:
        return ""
    scheme, sep, rest = raw.partition("://")
    if not sep or scheme.lower() not in schemes or not rest.split("/")[0]:
        raise ImproperEnv(f"{name}={raw!r}: expected a URL starting with {' or '.join(schemes)}://")
    return raw.rstrip("/")


def envsecret(name: str, path: Path) -> str:
    """The variable when set; otherwise a value generated once and kept in `path` (git-ignored)."""
    raw = os.environ.get(name)
    if raw is not None:
        if len(raw) < 32:
            raise ImproperEnv(f"{name}: must be at least 32 characters long (got {len(raw)})")
        return raw
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    # Create with owner-only permissions; O_EXCL makes two racing processes agree on one value.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
