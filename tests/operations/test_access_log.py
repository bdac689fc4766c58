"""Each request leaves one access line, written by the app rather than the web server, so it
carries the request id (the same as the response's X-Request-ID) and the team, and a secret in
the path (a share link's token) never reaches the log."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from log_capture import console_lines


@pytest.fixture
def access_lines():
    with console_lines("storyboard.access") as lines:
        yield lines


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


@pytest.mark.parametrize("incoming, kept", [
    ("trace-42.a:b@c", True), ("a b", False), ("line\nbreak", False), ("x" * 200, False),
    ("nul\x00", False), ("", False), ("-starts-with-a-dash", False)])
def test_an_incoming_request_id_is_kept_only_when_plain(db, client, access_lines, incoming,
                                                        kept):
    response = client.get("/login/", headers={"X-Request-ID": incoming} if incoming else {})
    assert (response["X-Request-ID"] == incoming) is kept
    assert len(response["X-Request-ID"]) <= 128 and "\n" not in response["X-Request-ID"]
    [line] = access_lines()
    assert line["request_id"] == response["X-Request-ID"]


def test_djangos_own_lines_of_a_request_carry_its_id_and_team(cast, client_for):
    with console_lines("django.request") as lines:
        response = client_for(cast.owner).get("/storyboards/999999/")
    assert response.status_code == 404
    [line] = lines()
    assert line["level"] == "WARNING" and line["message"].startswith("Not Found: ")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["team"] == cast.team_a.pk


def test_an_unknown_log_format_stops_the_start_naming_it(tmp_path):
    import os
    import subprocess
    import sys

    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=settings.BASE_DIR,
        env={**os.environ, "LOG_FORMAT": "xml", "STORYBOARD_VAR_DIR": str(tmp_path),
             "DJANGO_SETTINGS_MODULE": "storyboard.settings"},
        capture_output=True, text=True, timeout=60)
    assert started.returncode != 0
    assert "LOG_FORMAT='xml': expected plain or json" in started.stderr
