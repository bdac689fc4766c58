"""Log lines that say whose they are and never carry a credential (docs/configuration.md, Logs).

- `RequestIdMiddleware` gives every request an id (a sane incoming `X-Request-ID`, else a new
  one), echoes it in the response and binds it for the request's lines.
- `bound(job=…, team=…)` binds fields for a block of work (the worker's tasks); a contextvar, so
  threads and concurrent requests never see each other's fields.
- `ContextFilter` puts `request_id`, `team` and `job` on each record; `RedactFilter` replaces
  secret shapes (bearer tokens, API tokens, JWTs, Authorization headers, `password=`, secret
  links) and every secret value this process has decrypted or been configured with.
- `JsonFormatter` writes one JSON object per line (`LOG_FORMAT=json`), `PlainFormatter` the
  usual text with the context in brackets.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 8  # shorter values would blank ordinary words
MAX_KNOWN_SECRETS = 2000

# Each binding sets a new mapping; none is ever changed in place, so an immutable empty default.
_context: ContextVar[Mapping] = ContextVar("storyboard_log_context",
                                           default=MappingProxyType({}))


@contextlib.contextmanager
def bound(**fields):
    """Lines logged inside the block carry `fields` (None values are left out)."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


# --- redaction ---------------------------------------------------------------------------

_KEY_NAMES = (r"password|passwd|pwd|secret|secret_key|access_key|api_key|apikey|token|"
              r"access_token|refresh_token|client_secret|signature|sig|x-amz-signature|"
              r"x-amz-credential|x-amz-security-token|csrfmiddlewaretoken|sessionid")
_SHAPES = [
    # Header forms, however printed: "Authorization: Bearer x", "'authorization': 'x'".
    (re.compile(r"(?i)(\b(?:proxy-)?authorization['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n,}]+"),
     r"\1" + REDACTED),
    (re.compile(r"(?i)(\b(?:x-api-key|cookie|set-cookie)['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n}]+"),
     r"\1" + REDACTED),
    (re.compile(r"(\b(?:[Bb]earer|BEARER|Basic)\s+)[A-Za-z0-9._~+/=-]{6,}"), r"\1" + REDACTED),
    # This project's API tokens and webhook secrets; vendor keys in the common sk- form.
    (re.compile(r"\b(?:sbt|whsec)_[A-Za-z0-9_-]+"), REDACTED),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), REDACTED),
    # JWTs (some vendors' bearer tokens are signed with the account's secret key).
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),
    # key=value (form bodies, query strings) and "key": "value" (JSON, dict reprs).
    (re.compile(rf"(?i)\b((?:{_KEY_NAMES})=)[^&\s'\"]+"), r"\1" + REDACTED),
    (re.compile(rf"(?i)(['\"](?:{_KEY_NAMES})['\"]\s*:\s*['\"])[^'\"]*"), r"\1" + REDACTED),
    # Passwords in URLs: scheme://user:password@host.
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@"), r"\1" + REDACTED + "@"),
    # Paths that are themselves credentials: share links, invitations, signed media links,
    # job callbacks.
    (re.compile(r"(/(?:s|join|media)/)[^/\s?#'\"]+"), r"\1" + REDACTED),
    (re.compile(r"(/hook/[0-9a-fA-F-]{36}/)[^/\s?#'\"]+"), r"\1" + REDACTED),
]

_known: dict[str, None] = {}  # insertion-ordered: the oldest are dropped first
_known_lock = threading.Lock()
_known_pattern: re.Pattern | None = None
_settings_read = False


def remember_secrets(values: Iterable) -> None:
    """Values that must never appear in a log line (decrypted credentials, configured keys)."""
    global _known_pattern
    fresh = [v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LENGTH
             and v not in _known]
    if not fresh:
        return
    with _known_lock:
        for value in fresh:
            _known[value] = None
        while len(_known) > MAX_KNOWN_SECRETS:
            del _known[next(iter(_known))]
        _known_pattern = None


def _settings_secrets() -> list[str]:
    from urllib.parse import urlsplit

    from django.conf import settings

    found = [settings.SECRET_KEY, *settings.STORYBOARD_CREDENTIALS_KEY.split(",")]
    found.append(settings.DATABASES["default"].get("PASSWORD") or "")
    for storage in settings.STORAGES.values():
        found.append((storage.get("OPTIONS") or {}).get("secret_key") or "")
    redis_url = getattr(settings, "REDIS_URL", "")
    if redis_url:
        found.append(urlsplit(redis_url).password or "")
    return found


def _known_secrets() -> re.Pattern | None:
    global _known_pattern, _settings_read
    if not _settings_read:
        _settings_read = True
        # Settings not configured (a script): the shapes still apply.
        with contextlib.suppress(Exception):
            remember_secrets(_settings_secrets())
    pattern = _known_pattern
    if pattern is None and _known:
        with _known_lock:
            values = sorted(_known, key=len, reverse=True)  # longest first: no partial leftovers
            pattern = _known_pattern = re.compile("|".join(map(re.escape, values)))
    return pattern


def redact(text: str) -> str:
    if not text:
        return text
    for shape, replacement in _SHAPES:
        text = shape.sub(replacement, text)
    pattern = _known_secrets()
    return pattern.sub(REDACTED, text) if pattern is not None else text


# --- filters and formatters --------------------------------------------------------------

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "context", "request_id", "team", "job", "taskName",
    "request", "server_time",  # Django's extras: the request object itself, not a field
}


def _request_of(record: logging.LogRecord):
    request = record.__dict__.get("request")
    return request if hasattr(request, "META") else None  # django.server passes a socket


class ContextFilter(logging.Filter):
    """`request_id`, `team` and `job` on every record, from the bound context or from the
    request Django attaches to its own request lines (logged after the middleware returned)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        request = context.get("request") or _request_of(record)
        fields = {
            "request_id": context.get("request_id") or getattr(request, "request_id", None),
            "team": context.get("team") or _team_of(request),
            "job": context.get("job"),
        }
        for name, value in fields.items():
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        shown = [f"{name}={getattr(record, name)}" for name in fields
                 if getattr(record, name) is not None]
        record.context = f" [{' '.join(shown)}]" if shown else ""
        return True


def _team_of(request) -> int | None:
    # Only what is already on the request: a filter must never query (the query would log).
    team = vars(request).get("team") if request is not None else None
    return getattr(team, "pk", None)


class RedactFilter(logging.Filter):
    """Secrets out of the message, its arguments, the traceback and any extra text fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is rather than fail the line
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD and isinstance(value, str):
                setattr(record, name, redact(value))
        return True


class PlainFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.__dict__.setdefault("context", "")
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id / team / job
    when known, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "team", "job"):
            if getattr(record, name, None) is not None:
                entry[name] = getattr(record, name)
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_") and name not in entry:
                entry[name] = value if isinstance(value, int | float | bool) or value is None \
                    else redact(str(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


# --- requests ----------------------------------------------------------------------------

_access = logging.getLogger("storyboard.access")
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=@-]{0,127}")
REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every line of the request carries its id. An incoming id is kept
    when it is short and plain (a proxy's or a client's, to follow one request across
    systems); anything else is replaced, so nothing odd reaches the logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = _context.set({"request_id": request.request_id, "request": request})
        started = time.monotonic()
        try:
            response = self.get_response(request)
            # The access line, ours rather than the web server's: it carries the request id
            # and team, and passes the redaction filter (a share link's path is a secret).
            took = round((time.monotonic() - started) * 1000, 1)
            _access.info("%s %s %s %.1f ms", request.method, request.path, response.status_code,
                         took, extra={"method": request.method, "path": request.path,
                                      "status": response.status_code, "duration_ms": took})
        finally:
            _context.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response
