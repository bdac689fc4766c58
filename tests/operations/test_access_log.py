"""Each request leaves one access line, written by the app rather than the web server, so it
carries the request id (the same as the response's X-Request-ID) and the team, and a secret in
the path (a share link's token) never reaches the log."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.conf import settings

from storyboard import logs


@pytest.fixture
def access_lines():
    """The access logger through the console handler's own filters and the JSON formatter, as
    settings.LOGGING wires them (checked here, so the test follows the configuration)."""
    console = settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["context", "redact"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.ContextFilter())
    handler.addFilter(logs.RedactFilter())
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("storyboard.access")
    logger.addHandler(handler)
    before = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(before)


def test_a_page_leaves_one_line_with_its_request_id_and_team(cast, client_for, access_lines):
    response = client_for(cast.owner).get("/library/")
    assert response.status_code == 200
    [line] = [entry for entry in access_lines() if entry["path"] == "/library/"]
    assert line["logger"] == "storyboard.access"
    assert line["message"].startswith("GET /library/ 200 ")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["team"] == cast.team_a.pk
    assert (line["method"], line["status"]) == ("GET", 200)
    assert isinstance(line["duration_ms"], float)


def test_a_share_links_token_is_not_in_the_line(db, client, access_lines):
    token = "Zq9-secret-share-token-0123456789"
    response = client.get(f"/s/{token}/")
    assert response.status_code == 404
    text = json.dumps(access_lines())
    assert token not in text
    [line] = access_lines()
    assert line["path"] == "/s/[redacted]/" and line["status"] == 404


def test_studio_leaves_the_access_log_to_the_app():
    from pathlib import Path

    studio = Path(settings.BASE_DIR, "storyboard/teams/management/commands/studio.py")
    assert "--access-logfile" not in studio.read_text()  # gunicorn's would print the token
