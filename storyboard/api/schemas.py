"""The shapes the API answers with (and documents in its OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

MAX_ID = 2**63 - 1  # the largest id a database row can have: larger ones are 422, not a 500


class Error(Schema):
    detail: str
    field: str | None = None


class Target(Schema):
    account: str | None = Field(None, description="A provider account's label in the team; "
                                                  "null for the free local preview (animatic).")
    dialect: str = Field("animatic", description="The account's vendor dialect, or animatic.")
    model: str = Field("v3", description="v3 or o1")


class JobOut(Schema):
    id: str = Field(description="A UUID: job ids are UUIDs (not integers) in this project.")
    storyboard_id: int | None
    title: str
    target: Target
    state: str
    failure: str | None = Field(description="The failure kind of a failed job, else null.")
    failure_text: str
    waiting_for: str
    progress: int | None
    clip_ids: list[int]
    created_at: datetime
    submitted_at: datetime | None
    finished_at: datetime | None


class JobPage(Schema):
    items: list[JobOut]
    next: str | None


class ClipOut(Schema):
    id: int
    job_id: str
    width: int
    height: int
    seconds: float
    fps: float | None
    byte_size: int
    sha256: str
    created_at: datetime
    file: str = Field(description="Where GET /clips/{id}/file sends the MP4 (Range works).")


class ClipPage(Schema):
    items: list[ClipOut]
    next: str | None


class ImageOut(Schema):
    id: int
    name: str
    tag: str
    format: str
    width: int
    height: int
    byte_size: int
    sha256: str
    shared: bool = Field(description="True for another team's image inside a shared element.")
    created_at: datetime


class ImagePage(Schema):
    items: list[ImageOut]
    next: str | None


class UploadOut(Schema):
    created: bool = Field(description="False when the same file was in the library already.")
    message: str
    image: ImageOut


class ElementOut(Schema):
    id: int
    kind: str
    name: str
    tag: str
    description: str
    version: int
    version_id: int
    team: str = Field(description="The team that owns it (another one's when shared).")
    shared: bool
    created_at: datetime


class ElementPage(Schema):
    items: list[ElementOut]
    next: str | None


def target_of(account, dialect: str, model: str) -> dict:
    return {"account": account.label if account is not None else None, "dialect": dialect,
            "model": model}


def job_out(job) -> dict:
    return {
        "id": str(job.id), "storyboard_id": job.storyboard_id, "title": job.title,
        "target": target_of(job.account, job.dialect, job.model), "state": job.state,
        "failure": job.failure or None, "failure_text": job.failure_text,
        "waiting_for": job.waiting_for, "progress": job.progress,
        "clip_ids": sorted(c.pk for c in job.clips.all()),
        "created_at": job.created_at, "submitted_at": job.submitted_at,
        "finished_at": job.finished_at,
    }


def clip_out(clip) -> dict:
    return {
        "id": clip.pk, "job_id": str(clip.job_id), "width": clip.width, "height": clip.height,
        "seconds": clip.seconds, "fps": clip.fps, "byte_size": clip.byte_size,
        "sha256": clip.sha256, "created_at": clip.created_at,
        "file": f"/api/v1/clips/{clip.pk}/file",
    }


def image_out(image, team) -> dict:
    return {
        "id": image.pk, "name": image.name, "tag": image.tag, "format": image.format,
        "width": image.width, "height": image.height, "byte_size": image.byte_size,
        "sha256": image.sha256, "shared": image.team_id != team.pk,
        "created_at": image.created_at,
    }


def element_out(element, team) -> dict:
    version = element.current_version
    return {
        "id": element.pk, "kind": element.kind, "name": version.name, "tag": version.tag,
        "description": version.description, "version": version.number,
        "version_id": version.pk, "team": element.team.name,
        "shared": element.team_id != team.pk, "created_at": element.created_at,
    }
