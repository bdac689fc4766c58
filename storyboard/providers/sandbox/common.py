"""Small pieces every dialect uses: routing, bearer tokens, field checks, slow answers."""

from __future__ import annotations

import re
import secrets
import string
import time
from collections.abc import Callable, Iterable
from typing import Any

from .state import SandboxState
from .web import ApiError, Request, Response

Handler = Callable[..., Response]
Route = tuple[str, re.Pattern[str], Handler]


def route(method: str, pattern: str, handler: Handler) -> Route:
    return method, re.compile(pattern + r"\Z"), handler


def dispatch(routes: Iterable[Route], req: Request, state: SandboxState) -> Response:
    """Call the handler whose pattern matches; 404 for an unknown path, 405 for a wrong method."""
    allowed = []
    for method, pattern, handler in routes:
        m = pattern.match(req.path)
        if m is None:
            continue
        if method != req.method:
            allowed.append(method)
            continue
        return handler(req, state, *m.groups())
    if allowed:
        raise ApiError(
            405,
            f"method {req.method} not allowed here; use {', '.join(allowed)}",
            headers={"Allow": ", ".join(allowed)},
        )
    raise ApiError(404, f"no such endpoint: {req.method} {req.path or '/'}")


def bearer(req: Request) -> str | None:
    value = req.header("Authorization")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def pause(state: SandboxState, faults: Iterable[str] = ()) -> None:
    """The configured latency, plus ``slow_seconds`` when the request carries ``slow``."""
    seconds = state.config.latency + (state.config.slow_seconds if "slow" in faults else 0.0)
    if seconds > 0:
        time.sleep(seconds)


def answer_late(state: SandboxState, faults: Iterable[str] = ()) -> None:
    """After the task exists: the `late-answer` fault holds the answer back."""
    if "late-answer" in faults:
        time.sleep(state.config.slow_seconds)


def is_http_url(value: object) -> bool:
    return isinstance(value, str) and re.match(r"https?://[^\s/]+", value) is not None


def want_str(body: dict[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise ApiError(400, f"{name} is required", param=name)
        return ""
    if not isinstance(value, str):
        raise ApiError(400, f"{name} must be a string", param=name)
    if len(value) > limit:
        raise ApiError(400, f"{name} is longer than {limit} characters", param=name)
    return value


def want_choice(body: dict[str, Any], name: str, choices: tuple[str, ...], default: str) -> str:
    value = body.get(name, default)
    if value not in choices:
        raise ApiError(
            400, f"{name} must be one of {', '.join(choices)}; got {value!r}", param=name
        )
    return str(value)


def digit_seconds(value: object, name: str) -> int:
    """A duration sent as a string of digits (useapi, kling); ints are refused as the vendor
    documents strings."""
    if not isinstance(value, str) or not value.strip().isdigit():
        raise ApiError(400, f'{name} must be a string of whole seconds, like "5"', param=name)
    return int(value)


def int_value(value: object, name: str) -> int:
    """A JSON integer (bools and quoted numbers refused, as APIMart does)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, f"{name} must be an integer, got {value!r}", param=name)
    return value


def loose_int(value: object, name: str) -> int:
    """An integer sent as a number or a string of digits (useapi ``count``, ``maxJobs``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ApiError(400, f"{name} must be a whole number, got {value!r}", param=name)


def random_suffix(n: int = 5) -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(n))


def check_range(n: int, low: int, high: int, name: str) -> int:
    if not low <= n <= high:
        raise ApiError(400, f"{name} must be from {low} to {high}, got {n}", param=name)
    return n
