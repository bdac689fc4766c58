"""The sandbox keeps its state on disk: a real process killed with SIGKILL and started again on
the same data directory still knows every task, upload and element, finishes the tasks and
serves their MP4s; a half-written record is skipped, not a crash."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from providers.sandbox_helpers import (
    APIMART_BODY,
    KLING_BODY,
    PNG,
    apimart_done,
    headers,
    jpeg,
    kling_done,
    png,
    probe,
    running,
    useapi_done,
)

from storyboard.providers.sandbox import base_urls


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def sandbox_process(data_dir: Path, port: int, delay: float = 2.0) -> Iterator[subprocess.Popen]:
    """``python -m storyboard.providers.sandbox`` on ``port``; yields once it answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyboard.providers.sandbox", "--port", str(port), "--quiet",
         "--data-dir", str(data_dir), "--delay", str(delay), "--render-size", "64x36"],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = proc.stderr.readline()
        assert "serving on" in line, line + proc.stderr.read()
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stderr.close()


def api(root: str, dialect: str) -> httpx.Client:
    return httpx.Client(base_url=base_urls(root)[dialect], headers=headers(dialect),
                        timeout=15, trust_env=False)


def test_a_sigkilled_sandbox_restarts_with_every_task_upload_and_element(tmp_path):
    port = _free_port()
    root = f"http://127.0.0.1:{port}"
    with sandbox_process(tmp_path, port) as first:
        with api(root, "useapi") as u:
            asset = u.post("/assets", content=png(), headers=PNG).json()["url"]
            cover = u.post("/assets", content=jpeg(), headers={"Content-Type": "image/jpeg"})
            element = u.post("/elements", json={"name": "Chef", "coverImage": cover.json()["url"]})
            element_id = element.json()["elements"][0]["id"]
            useapi_task = u.post("/videos/omni", json={
                "prompt": "the chef @element_1 by @image_1", "image_1": asset,
                "element_1": element_id, "duration": "3"}).json()["task"]["id"]
        with api(root, "kling") as k:
            face = base64.b64encode(png(320, 320, "lime")).decode()
            made = k.post("/v1/general/advanced-custom-elements", json={
                "element_name": "Keeper", "element_description": "The keeper",
                "element_image_list": {"frontal_image": face,
                                       "refer_images": [{"image_url": face}]}}).json()
            element_task = made["data"]["task_id"]
            kling_task = k.post("/v1/videos/omni-video", json={
                **KLING_BODY, "external_task_id": "job-restart"}).json()["data"]["task_id"]
        with api(root, "cometapi") as c:
            comet_task = c.post("/kling/v1/videos/omni-video", json=KLING_BODY).json()
        with api(root, "apimart") as a:
            apimart_task = a.post("/v1/videos/generations", json=APIMART_BODY).json()
        first.send_signal(signal.SIGKILL)  # mid-work: no task has finished yet
        first.wait(timeout=10)

    with sandbox_process(tmp_path, port):
        with api(root, "useapi") as u:
            assert u.get(asset).content == png()  # the upload's URL still works
            done = useapi_done(u, useapi_task)
            assert done["status_name"] == "succeed", done
            assert probe(u.get(done["works"][0]["resource"]["resource"]).content)[0] == (
                pytest.approx(3, abs=0.05))
            assert [e["id"] for e in u.get("/elements").json()["elements"]] == [element_id]
        with api(root, "kling") as k:
            done = kling_done(k, "/v1/videos/omni-video/job-restart")  # by our own id
            assert done["data"]["task_id"] == kling_task
            assert k.get(done["data"]["task_result"]["videos"][0]["url"]).status_code == 200
            again = k.post("/v1/videos/omni-video", json={
                **KLING_BODY, "external_task_id": "job-restart"})
            assert (again.status_code, again.json()["code"]) == (400, 1201)  # still unique
            made = kling_done(k, f"/v1/general/advanced-custom-elements/{element_task}")
            kept = made["data"]["task_result"]["elements"][0]["element_id"]
            job = k.post("/v1/videos/omni-video", json={
                **KLING_BODY, "prompt": "<<<element_1>>> waves",
                "element_list": [{"element_id": kept}]})
            assert job.json()["code"] == 0, job.text
        with api(root, "cometapi") as c:
            path = f"/kling/v1/videos/omni-video/{comet_task['data']['task_id']}"
            assert kling_done(c, path)["data"]["task_status"] == "succeed"
        with api(root, "apimart") as a:
            task_id = apimart_task["data"][0]["task_id"]
            assert apimart_done(a, task_id)["data"]["status"] == "completed"
            # a new task after the restart does not reuse an id handed out before it
            fresh = a.post("/v1/videos/generations", json=APIMART_BODY).json()
            assert fresh["data"][0]["task_id"] != task_id


def test_half_written_and_unreadable_records_are_skipped(tmp_path):
    with running(tmp_path) as sb, api(sb.url, "kling") as k:
        task = k.post("/v1/videos/omni-video", json=KLING_BODY).json()["data"]["task_id"]
    tasks = tmp_path / "records" / "tasks"
    (tasks / ".abc123.tmp").write_text('{"format": 1, "dialect": "kli')  # killed mid-write
    (tasks / "kling-broken.json").write_text('{"format": 1, "dialect"')  # a disk that filled
    (tasks / "kling-odd.json").write_text('{"format": 1, "dialect": "kling"}')  # fields missing
    with running(tmp_path) as sb, api(sb.url, "kling") as k:
        assert kling_done(k, f"/v1/videos/omni-video/{task}")["data"]["task_status"] == "succeed"
        assert k.get("/v1/videos/omni-video/broken").status_code == 404
    assert not (tasks / ".abc123.tmp").exists()  # leftovers of a killed write are removed


def test_a_finished_render_is_served_after_a_restart_without_rendering_again(tmp_path):
    calls = []

    def counting(*args, **kwargs):
        from storyboard.providers.animatic import render_animatic

        calls.append(1)
        return render_animatic(*args, **kwargs)

    with running(tmp_path, renderer=counting) as sb, api(sb.url, "apimart") as a:
        task = a.post("/v1/videos/generations", json=APIMART_BODY).json()["data"][0]["task_id"]
        apimart_done(a, task)
    with running(tmp_path, renderer=counting) as sb, api(sb.url, "apimart") as a:
        video = apimart_done(a, task)["data"]["result"]["videos"][0]
        url = video["url"][0] if isinstance(video["url"], list) else video["url"]
        path = urlsplit(url).path  # answers name the creator's root; this run has a new port
        assert probe(a.get(sb.url + path).content)[0] == pytest.approx(3, abs=0.05)
    assert len(calls) == 1
