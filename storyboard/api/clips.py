"""GET /clips, /clips/{id}, /clips/{id}/file: the team's clips; the file goes through the same
serving code as the pages (team check first, then Range, nosniff, the media mode)."""

from __future__ import annotations

from ninja import Path, Query, Router

from storyboard.api.auth import VIEW
from storyboard.api.pagination import PageParams, page
from storyboard.api.schemas import MAX_ID, ClipOut, ClipPage, Error, clip_out
from storyboard.jobs.models import Clip
from storyboard.library.serving import serve_stored_file
from storyboard.teams.scoping import for_team, get_for_team

router = Router(tags=["clips"])
ERRORS = {401: Error, 403: Error, 404: Error, 422: Error, 429: Error}
_MP4 = {"content": {"video/mp4": {"schema": {"type": "string", "format": "binary"}}}}


@router.get("", response={200: ClipPage, **ERRORS}, auth=VIEW, summary="List clips")
def list_clips(request, params: Query[PageParams]):
    rows, cursor = page(for_team(Clip, request.team), params)
    return {"items": [clip_out(c) for c in rows], "next": cursor}


@router.get("/{clip_id}", response={200: ClipOut, **ERRORS}, auth=VIEW, summary="One clip")
def get_clip(request, clip_id: int = Path(..., ge=1, le=MAX_ID)):
    return clip_out(get_for_team(Clip, request.team, pk=clip_id))


@router.get("/{clip_id}/file", response={**ERRORS}, auth=VIEW, summary="The clip's MP4",
            openapi_extra={"responses": {
                "200": {"description": "The MP4", **_MP4},
                "206": {"description": "The byte range asked for with Range", **_MP4},
                "416": {"description": "A Range past the end of the file"}}})
def clip_file(request, clip_id: int = Path(..., ge=1, le=MAX_ID)):
    clip = get_for_team(Clip.objects.select_related("job"), request.team, pk=clip_id)
    return serve_stored_file(request, clip.file, "video/mp4",
                             f"{clip.job.title[:60]}-{clip.job.short_id}.mp4")
