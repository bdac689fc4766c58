"""The issue's "done when": a script using only the API, over HTTP with httpx, uploads two
images, creates a 3-shot storyboard, checks it, submits it to a sandbox account, waits, and
downloads the clip. The worker's tasks run here, as the real worker would run them."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from library.media_factory import jpeg
from providers.sandbox_helpers import running

from storyboard.api.actions import create_token
from storyboard.jobs import worker
from storyboard.jobs.models import Job
from storyboard.providers.sandbox import SANDBOX_CREDENTIALS, base_urls
from storyboard.teams.accounts import AccountInput, add_account


class Worker:
    """Records what the web side queues; `turn` runs it and a poll sweep, as time passing
    would."""

    def __init__(self):
        self.tasks = []

    def __call__(self, func, *args, **kwargs):
        self.tasks.append((func.rsplit(".", 1)[-1], args))

    def turn(self):
        while self.tasks:
            name, args = self.tasks.pop(0)
            getattr(worker, name)(*args)
        Job.objects.filter(next_attempt_at__isnull=False).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1))
        Job.objects.filter(state="downloading").update(claimed_until=None)
        worker.poll_due_jobs()


@pytest.fixture
def background(monkeypatch):
    recorder = Worker()
    for module in ("storyboard.jobs.worker", "storyboard.jobs.actions"):
        monkeypatch.setattr(f"{module}.async_task", recorder)
    return recorder


def test_a_script_makes_a_clip_through_the_api_alone(cast, live_server, background, settings,
                                                     tmp_path):
    settings.STORYBOARD_LOCAL_URL = live_server.url  # where the sandbox fetches the images
    with running(tmp_path / "sandbox") as sandbox:
        add_account(cast.team_a, AccountInput(
            "apimart", "Sandbox APIMart", dict(SANDBOX_CREDENTIALS["apimart"]),
            base_url=base_urls(sandbox.url)["apimart"], sandbox=True))
        token = create_token(cast.member(cast.editor), "script")[1]

        # --- the script: nothing below but HTTP ---------------------------------------------
        api = httpx.Client(base_url=f"{live_server.url}/api/v1",
                           headers={"Authorization": f"Bearer {token}"}, timeout=30)
        for name, colour in (("pier.jpg", (10, 40, 90)), ("gulls.jpg", (200, 200, 180))):
            answer = api.post("/library/images",
                              files={"file": (name, jpeg(800, 600, color=colour),
                                              "image/jpeg")})
            assert answer.status_code == 201, answer.text
        board = api.post("/storyboards", json={
            "title": "Harbour at dawn",
            "target": {"account": "Sandbox APIMart", "dialect": "apimart", "model": "v3"},
            "shots": [{"prompt": "@image_1 in the first light", "duration": "3"},
                      {"prompt": "gulls over @image_2", "duration": "3"},
                      {"prompt": "the boat leaves the pier", "duration": "4"}],
            "image_1": "pier", "image_2": "gulls"})
        assert board.status_code == 201, board.text
        board_id = board.json()["id"]
        report = api.post(f"/storyboards/{board_id}/check").json()
        assert report["ok"], report["problems"]
        job = api.post(f"/storyboards/{board_id}/submit",
                       headers={"Idempotency-Key": "harbour-1"})
        assert job.status_code == 201, job.text
        job_id = job.json()["id"]
        deadline = time.monotonic() + 60
        while True:
            background.turn()  # the worker, elsewhere in real life
            state = api.get(f"/jobs/{job_id}").json()
            if state["state"] in ("succeeded", "failed", "cancelled"):
                break
            assert time.monotonic() < deadline, state
            time.sleep(0.1)
        assert state["state"] == "succeeded", state["failure_text"]
        clip = api.get(f"/clips/{state['clip_ids'][0]}").json()
        video = api.get(clip["file"].removeprefix("/api/v1"))
        assert video.status_code == 200
        assert video.headers["content-type"] == "video/mp4"
        assert len(video.content) == clip["byte_size"] and video.content[4:8] == b"ftyp"
