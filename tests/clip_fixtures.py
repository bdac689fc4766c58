"""Clips for gallery and review tests. `make_clip` writes rows only (no video file: fast, for
grids, filters and query counts); `queue` and `board` (from the jobs tests) make real clips
end to end through the worker when the file matters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from jobs.conftest import board, queue  # noqa: F401  (fixtures shared with the jobs tests)

from storyboard.boards.models import Storyboard
from storyboard.jobs.models import Clip, Job, JobSource


def shots_snapshot(title, prompts, seconds):
    return {"title": title, "multi_shot": True, "target": {"dialect": "animatic", "model": "v3"},
            "mode": "std", "aspect_ratio": "16:9",
            "shots": [{"prompt": p, "duration": s} for p, s in zip(prompts, seconds,
                                                                  strict=True)],
            "attachments": {}}


@pytest.fixture
def make_clip(cast):
    counter = {"n": 0}

    def make(*, team=None, storyboard=None, title="Coast", prompts=("A lighthouse", "Waves"),
             seconds=(3, 3), account=None, model="v3", age=timedelta(0), state="succeeded",
             creator=None, versions=()):
        counter["n"] += 1
        team = team or cast.team_a
        if storyboard is None:
            storyboard = Storyboard.objects.create(team=team, title=title,
                                                   created_by=cast.editor)
        created = timezone.now() - age
        job = Job.objects.create(
            team=team, storyboard=storyboard, account=account, created_by=creator or cast.editor,
            submit_key=f"clip-{counter['n']}-{Job.objects.count()}",
            dialect=account.dialect if account else "animatic", model=model, title=title,
            snapshot=shots_snapshot(title, prompts, seconds), planned_seconds=sum(seconds),
            prompt_text="\n".join([title, *prompts]), state=state, created_at=created)
        JobSource.objects.bulk_create([
            JobSource(job=job, slot=f"element_{n}", element_version=version)
            for n, version in enumerate(versions, start=1)])
        return Clip.objects.create(job=job, team=team, file=f"clips/x{counter['n']}.mp4",
                                   poster=f"clips/x{counter['n']}.jpg", width=1280, height=720,
                                   seconds=float(sum(seconds)), fps=24, byte_size=1000,
                                   sha256="0" * 64, created_at=created)
    return make
