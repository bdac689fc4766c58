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


def _raw(name: str, *, from_file: bool) -> str | None:
    """The variable's value; with `from_file`, or the contents of the file `<name>_FILE` names
    (container secrets). Both set is refused, naming both: which one wins would be a guess."""
    raw = os.environ.get(name)
    file_name = f"{name}_FILE"
    path = os.environ.get(file_name, "").strip() if from_file else ""
    if not path:
        return raw
    if raw:
        raise ImproperEnv(f"{name} and {file_name} are both set: keep one of them")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ImproperEnv(f"{file_name}={path!r}: the file cannot be read "
                          f"({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ImproperEnv(f"{file_name}={path!r}: the file is not UTF-8 text") from None
    value = text.strip()  # secret files usually end with a newline
    if not value:
        raise ImproperEnv(f"{file_name}={path!r}: the file is empty")
    return value


def masked(url: str) -> str:
    """`url` for an error message: a password in it (scheme://user:password@host) is hidden."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"


def secret_source(name: str) -> str:
    """Where a secret setting comes from: "environment", "file" (`<name>_FILE`) or "generated"
    (kept under the var directory by envsecret). For `manage.py doctor`."""
    if os.environ.get(f"{name}_FILE", "").strip():
        return "file"
    return "environment" if os.environ.get(name) else "generated"


def envstr(name: str, default: str = "", *, from_file: bool = False) -> str:
    """`from_file`: a secret, which may also come from the file `<name>_FILE` names."""
    raw = _raw(name, from_file=from_file)
    return default if raw is None else raw


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


def envurl(name: str, default: str = "", *, schemes: tuple[str, ...] = ("http", "https"),
           from_file: bool = False) -> str:
    """A URL setting; empty means unset. Trailing slashes are dropped so joins stay predictable.
    `from_file`: the URL may carry a password, so it may also come from `<name>_FILE`."""
    raw = envstr(name, default, from_file=from_file).strip()
    if not raw:
        return ""
    scheme, sep, rest = raw.partition("://")
    if not sep or scheme.lower() not in schemes or not rest.split("/")[0]:
        # A URL read from a secret file is not echoed, and a password in any URL is hidden.
        from_secret_file = from_file and secret_source(name) == "file"
        shown = f"{name}_FILE" if from_secret_file else f"{name}={masked(raw)!r}"
        raise ImproperEnv(f"{shown}: expected a URL starting with {' or '.join(schemes)}://")
    return raw.rstrip("/")


def envsecret(name: str, path: Path, *, several: bool = False) -> str:
    """The variable (or the file `<name>_FILE` names) when set; otherwise a value generated once
    and kept in `path` (git-ignored). `several`: a comma-separated list of keys, newest first
    (key rotation), each checked on its own; returned without spaces."""
    raw = _raw(name, from_file=True)
    if raw is not None:
        file = os.environ.get(f"{name}_FILE", "").strip()
        return _checked(f"{name}_FILE={file!r}" if file else name, raw, several)
    if path.exists():
        return _checked(name, path.read_text().strip(), several, where=str(path))
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


def _checked(label: str, value: str, several: bool, where: str = "") -> str:
    label = f"{label} (in {where})" if where else label
    keys = [key.strip() for key in value.split(",")] if several else [value]
    for number, key in enumerate(keys, 1):
        which = f" key {number} of {len(keys)}" if len(keys) > 1 else ""
        if len(key) < 32:
            raise ImproperEnv(f"{label}:{which} must be at least 32 characters long "
                              f"(got {len(key)})")
    return ",".join(keys)
