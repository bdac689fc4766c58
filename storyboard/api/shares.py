"""Share links over the API: make one for a clip or for a storyboard's takes, revoke one. The same
actions as the team's pages (storyboard/shares/actions.py): the same expiry list, the password
hashed, the token shown once — here, in the answer's `url` — and a revoke that stops the guest
pages and their media at once."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from ninja import Path, Router, Schema, Status
from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from storyboard.api.auth import EDIT
from storyboard.api.errors import ApiError
from storyboard.api.schemas import MAX_ID, Error
from storyboard.boards.models import Storyboard
from storyboard.jobs.models import Clip
from storyboard.shares import actions
from storyboard.shares.forms import PASSWORD_MAX
from storyboard.shares.models import DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS, ShareLink
from storyboard.teams.scoping import get_for_team

router = Router(tags=["share links"])
ERRORS = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error, 429: Error}
_ID = Path(..., ge=1, le=MAX_ID)

_DAYS = ", ".join(map(str, EXPIRY_DAYS))


class ShareLinkIn(Schema):
    # A misspelt key is named (422) rather than quietly giving a link with the defaults.
    model_config = ConfigDict(extra="forbid")

    expires_in_days: int = Field(DEFAULT_EXPIRY_DAYS, json_schema_extra={"enum": [*EXPIRY_DAYS]},
                                 description=f"How long the link works: {_DAYS} days.")
    password: str | None = Field(None, max_length=PASSWORD_MAX, description=(
        "Optional: guests must type it first. Stored hashed; null or \"\" for none."))
    can_decide: bool = Field(False, description="Guests may approve or request a retake.")

    @field_validator("expires_in_days", mode="before")
    @classmethod
    def _one_of_the_list(cls, value):
        # A JSON number from the list, nothing else: not "14", not 14.5, not true (== 1).
        if type(value) is not int or value not in EXPIRY_DAYS:
            raise PydanticCustomError("expiry", f"choose one of {_DAYS} days")
        return value


class ShareLinkOut(Schema):
    id: int
    url: str = Field(description="The guest page with the link's token: shown only in this "
                                 "answer (only a hash of the token is kept).")
    expires_at: datetime


def _made(request, payload: ShareLinkIn, make) -> Status:
    try:
        share, token = make(request.user, payload.expires_in_days, payload.password or "",
                            payload.can_decide)
    except actions.ShareRefused as refused:
        if refused.field == "days":
            raise ApiError(422, f"expires_in_days: choose one of {_DAYS} days",
                           "expires_in_days") from None
        raise ApiError(409, str(refused), refused.field or None) from None
    url = request.build_absolute_uri(reverse("share:page", args=[token]))
    return Status(201, {"id": share.pk, "url": url, "expires_at": share.expires_at})


@router.post("/clips/{clip_id}/share-links", response={201: ShareLinkOut, **ERRORS}, auth=EDIT,
             summary="Share a clip for review by guests")
def create_clip_share(request, payload: ShareLinkIn, clip_id: int = _ID):
    clip = get_for_team(Clip.objects.select_related("job"), request.team, pk=clip_id)
    return _made(request, payload, lambda *args: actions.create_share(clip, *args))


@router.post("/storyboards/{board_id}/share-links", response={201: ShareLinkOut, **ERRORS},
             auth=EDIT, summary="Share a storyboard's takes for review by guests")
def create_takes_share(request, payload: ShareLinkIn, board_id: int = _ID):
    board = get_for_team(Storyboard, request.team, pk=board_id)
    return _made(request, payload, lambda *args: actions.create_takes_share(board, *args))


@router.delete("/share-links/{link_id}", response={204: None, **ERRORS}, auth=EDIT,
               summary="Revoke a share link: its pages and media stop at once")
def revoke_share(request, link_id: int = _ID):
    actions.revoke_share(get_for_team(ShareLink, request.team, pk=link_id))
    return Status(204, None)
