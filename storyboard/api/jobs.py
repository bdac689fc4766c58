"""GET /jobs, GET /jobs/{id}: the team's jobs, newest first (what the Jobs page shows)."""

from __future__ import annotations

import uuid

from ninja import Query, Router

from storyboard import keyset
from storyboard.api.auth import VIEW
from storyboard.api.pagination import PageParams, page
from storyboard.api.schemas import Error, JobOut, JobPage, job_out
from storyboard.jobs.models import Job
from storyboard.teams.scoping import for_team, get_for_team

router = Router(tags=["jobs"])
ERRORS = {401: Error, 403: Error, 404: Error, 422: Error, 429: Error}


def _jobs(team):
    return for_team(Job, team).select_related("account").prefetch_related("clips")


@router.get("", response={200: JobPage, **ERRORS}, auth=VIEW, summary="List jobs")
def list_jobs(request, params: Query[PageParams]):
    rows, cursor = page(_jobs(request.team), params, pk=keyset.uuid_pk)
    return {"items": [job_out(j) for j in rows], "next": cursor}


@router.get("/{job_id}", response={200: JobOut, **ERRORS}, auth=VIEW, summary="One job")
def get_job(request, job_id: uuid.UUID):
    return job_out(get_for_team(_jobs(request.team), request.team, pk=job_id))
