"""GET/POST /library/images, GET /library/elements: the library the editor sees (the team's
own items and those a shared element brings); uploads go through the page's own action."""

from __future__ import annotations

from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from storyboard.api.auth import EDIT, VIEW
from storyboard.api.errors import ApiError
from storyboard.api.pagination import PageParams, page
from storyboard.api.schemas import (
    ElementPage,
    Error,
    ImagePage,
    UploadOut,
    element_out,
    image_out,
)
from storyboard.library import access
from storyboard.library.actions import store_image_upload
from storyboard.library.images import MediaRefused

router = Router(tags=["library"])
ERRORS = {401: Error, 403: Error, 404: Error, 422: Error, 429: Error}


@router.get("/images", response={200: ImagePage, **ERRORS}, auth=VIEW, summary="List images")
def list_images(request, params: Query[PageParams]):
    rows, cursor = page(access.visible_images(request.team), params)
    return {"items": [image_out(i, request.team) for i in rows], "next": cursor}


@router.post("/images", response={200: UploadOut, 201: UploadOut, **ERRORS}, auth=EDIT,
             summary="Upload an image (multipart, field `file`; the upload page's checks)")
def upload_image(request, file: File[UploadedFile]):
    try:
        stored = store_image_upload(request.team, request.user, file)
    except MediaRefused as refused:
        raise ApiError(422, f"file: {refused}", "file") from None
    return Status(201 if stored.created else 200, {
        "created": stored.created, "message": stored.message,
        "image": image_out(stored.item, request.team)})


@router.get("/elements", response={200: ElementPage, **ERRORS}, auth=VIEW,
            summary="List elements")
def list_elements(request, params: Query[PageParams]):
    rows, cursor = page(access.visible_elements(request.team)
                        .filter(current_version__isnull=False), params)
    return {"items": [element_out(e, request.team) for e in rows], "next": cursor}
