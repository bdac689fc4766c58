"""What the console handler would write, captured: the handler's own filters (context and
redaction, as settings.LOGGING wires them) and the JSON formatter, on a logger of the test's
choice. pytest's caplog cannot stand in: its handler has none of the filters."""

from __future__ import annotations

import contextlib
import io
import json
import logging

from django.conf import settings

from storyboard import logs


@contextlib.contextmanager
def console_lines(name: str = "", level: int = logging.INFO):
    """Yields a function returning the JSON objects written so far, one per line."""
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["context", "redact"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.ContextFilter())
    handler.addFilter(logs.RedactFilter())
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger(name)
    before = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before)
