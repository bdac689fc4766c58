"""The sandbox as a server (werkzeug): its pages, its command, files with Range and HEAD, bad
requests answered in each dialect's shape, and the delay that moves tasks along."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from providers.sandbox_helpers import (
    APIMART_BODY,
    DELAY,
    PNG,
    client,
    png,
    running,
)

from storyboard.providers.sandbox import base_urls


@pytest.fixture
def sandbox(tmp_path):
    with running(tmp_path) as sb:
        yield sb


def test_the_root_page_health_and_unknown_paths_answer_plainly(sandbox):
    with client(sandbox) as c:
        page = c.get("/").text
        assert "offline simulator" in page and "State survives restarts" in page
        assert str(sandbox.app.config.data_dir.resolve()) in page  # where it is kept
        assert "forgets" not in page
        assert c.get("/_sandbox/health").text == "ok\n"
        assert c.get("/nowhere").status_code == 404
        assert c.post("/files/x").status_code == 405
        assert c.get("/files/tasks/nope/video.mp4").status_code == 404

def test_base_urls_follow_the_fixed_layout():
    assert base_urls("http://127.0.0.1:8765/") == {
        "useapi": "http://127.0.0.1:8765/useapi/v1/kling",
        "kling": "http://127.0.0.1:8765/kling",
        "cometapi": "http://127.0.0.1:8765/cometapi",
        "apimart": "http://127.0.0.1:8765/apimart",
    }

def test_the_command_serves_until_sigterm(tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "storyboard.providers.sandbox",
            "--port",
            "0",
            "--quiet",
            "--data-dir",
            str(tmp_path),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = proc.stderr.readline()
        assert "serving on http://127.0.0.1:" in line
        url = line.split("serving on ")[1].split()[0]
        assert httpx.get(url + "/_sandbox/health", trust_env=False).text == "ok\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.stderr.close()

def test_bad_json_wrong_type_unknown_paths_answer_in_each_dialect_shape(sandbox):
    raw = {"content": b"{not json", "headers": {"Content-Type": "application/json"}}
    with client(sandbox, "useapi") as u:
        assert "not valid JSON" in u.post("/videos/omni", **raw).json()["error"]
        assert (
            u.post("/videos/omni", content=b"x", headers={"Content-Type": "text/plain"}).status_code
            == 415
        )
        assert u.get("/nope").status_code == 404 and u.get("/nope").json()["error"]
        assert u.get("/videos/omni").status_code == 405
    with client(sandbox, "kling") as k:
        r = k.post("/v1/videos/omni-video", **raw)
        assert (r.status_code, r.json()["code"]) == (400, 1201)
        r = k.post(
            "/v1/videos/omni-video", content=b"[1]", headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 400 and "object" in r.json()["message"]
        assert k.get("/v1/nothing").json()["code"] == 1203
        assert k.delete("/v1/videos/omni-video").json()["code"] == 1202
    with client(sandbox, "cometapi") as c:
        assert c.post("/kling/v1/videos/omni-video", **raw).json()["error"]["message"]
    with client(sandbox, "apimart") as a:
        r = a.post("/v1/videos/generations", **raw)
        assert r.status_code == 400 and r.json()["error"]["message"]
        assert a.get("/v1/tasks/task_missing").status_code == 404

def test_the_delay_moves_tasks_through_their_states(tmp_path):
    with running(tmp_path, delay=0.9) as sb, client(sb, "apimart") as a:
        task = a.post("/v1/videos/generations", json=APIMART_BODY).json()["data"][0]["task_id"]
        seen = []
        deadline = time.monotonic() + 20
        while not seen or seen[-1] != "completed":
            status = a.get(f"/v1/tasks/{task}").json()["data"]["status"]
            if not seen or seen[-1] != status:
                seen.append(status)
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert seen == ["pending", "processing", "completed"]
    assert DELAY < 0.9

def test_files_support_range_and_head(sandbox):
    with client(sandbox, "useapi") as u:
        url = u.post("/assets", content=png(), headers=PNG).json()["url"]
        part = u.get(url, headers={"Range": "bytes=0-7"})
        assert part.status_code == 206 and part.content == png()[:8]
        assert part.headers["content-range"] == f"bytes 0-7/{len(png())}"
        head = u.head(url)
        assert head.status_code == 200 and head.headers["content-length"] == str(len(png()))
