"""useapi: authentication, account selection, assets, elements, accounts and capacity."""

from __future__ import annotations

import time
from typing import Any

from storyboard.providers.sandbox.common import (
    check_range,
    loose_int,
    random_suffix,
    route,
    want_str,
)
from storyboard.providers.sandbox.media import image_size, mp4_duration
from storyboard.providers.sandbox.state import ASSET_TYPES, SandboxState
from storyboard.providers.sandbox.web import ApiError, Request, Response, json_response

IMAGE_LIMIT = 10 * 1024 * 1024
VIDEO_LIMIT = 100 * 1024 * 1024
MIN_IMAGE_SIDE = 300
MAX_VIDEO_SECONDS = 10
ELEMENT_TAGS = ("character", "animal", "prop", "costume", "scene", "effect", "others")


def authenticate(req: Request, state: SandboxState) -> None:
    if bearer_token(req) != state.config.credentials["useapi"]["token"]:
        raise ApiError(401, "Unauthorized: missing or invalid API token")


def bearer_token(req: Request) -> str | None:
    scheme, _, token = req.header("Authorization").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def select_email(req: Request, state: SandboxState, body: dict[str, Any] | None = None) -> str:
    """The linked Kling account a request selects (``email`` in the body or the query)."""
    accounts = state.config.useapi_accounts
    email = (body or {}).get("email") or req.query.get("email")
    if email is None:
        if len(accounts) > 1:
            raise ApiError(400, "email is required: this token has several Kling accounts")
        return accounts[0]
    if email not in accounts:
        raise ApiError(400, f"Kling account {email!r} is not configured for this token")
    return str(email)


def upload_asset(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    select_email(req, state)
    ctype = req.content_type
    if ctype not in ASSET_TYPES:
        raise ApiError(
            400, f"Unsupported Content-Type {ctype or 'none'}; use " + ", ".join(ASSET_TYPES)
        )
    image = ctype.startswith("image/")
    limit = IMAGE_LIMIT if image else VIDEO_LIMIT
    try:
        data = req.body(limit)
    except ApiError as err:
        if err.status == 413:
            raise ApiError(400, f"File is larger than {limit // (1024 * 1024)} MB") from None
        raise
    if not data:
        raise ApiError(400, "Empty body: send the file's bytes with its Content-Type")
    if image:
        size = image_size(data, ctype)
        if size is None:
            raise ApiError(400, f"The body is not a valid {ctype} image")
        if min(size) < MIN_IMAGE_SIDE:
            raise ApiError(
                400,
                f"Image is {size[0]}x{size[1]}; both sides must be at least {MIN_IMAGE_SIDE} px",
            )
    else:
        seconds = mp4_duration(data)
        if seconds is None:
            raise ApiError(400, f"The body is not a valid {ctype} video")
        if seconds > MAX_VIDEO_SECONDS + 0.05:
            raise ApiError(400, f"Video is {seconds:.1f} s; at most {MAX_VIDEO_SECONDS} s")
    asset = state.store_asset(data, ctype)
    url = f"{state.config.public_url or req.root_url}/files/assets/{asset.name}"
    return json_response({"status": 3, "url": url, "fileName": asset.name})


def _image_upload(state: SandboxState, value: object, name: str, kind: str = "image/") -> str:
    asset = state.asset_for_url(value)
    if asset is None or not asset.content_type.startswith(kind):
        raise ApiError(404, f"VALID.ResourceNotFound: {name} must be a URL from POST /assets")
    return str(value)


def create_element(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    body = req.json(state.config.max_json_bytes, multipart=True)
    select_email(req, state, body)
    name = want_str(body, "name", 15, required=True)
    description = want_str(body, "description", 100)
    tag = body.get("tag")
    if tag is not None and tag not in ELEMENT_TAGS:
        raise ApiError(400, f"tag must be one of {', '.join(ELEMENT_TAGS)}")
    cover, video = body.get("coverImage"), body.get("video")
    if bool(cover) == bool(video):
        raise ApiError(400, "Send exactly one of coverImage (image element) or video")
    extras = [k for k in ("extraImage1", "extraImage2", "extraImage3") if body.get(k)]
    if extras and body.get("generateViews") not in (None, False, "false"):
        raise ApiError(400, "extraImage1..3 and generateViews exclude each other")
    if "voice" in body and tag != "character":
        raise ApiError(400, "voice is only allowed with tag character")
    if video:
        asset = state.asset_for_url(video)
        _image_upload(state, video, "video", "video/")
        seconds = mp4_duration(asset.path.read_bytes()) if asset else None
        if seconds is None or seconds < 3:
            raise ApiError(400, "A video element needs an mp4 of at least 3 seconds")
    else:
        _image_upload(state, cover, "coverImage")
    for key in extras:
        _image_upload(state, body[key], key)
    voice = body.get("voice")
    if voice is not None and not isinstance(voice, str):
        raise ApiError(400, "voice must be a voice id or an uploaded mp4 URL")
    element_id = f"u_{state.next_seq():06d}{random_suffix(8).lower()}"
    element = {
        "id": element_id,
        "name": f"{name} {random_suffix(5)}",
        "description": description,
        "tag": tag or "others",
        "type": "video" if video else "image",
        "coverImage": cover or video,
        "extraImages": [body[k] for k in extras],
        "voice": voice,
        "createTime": int(time.time() * 1000),
    }
    state.put_element("useapi", element_id, element)
    return json_response({"elements": [element], "count": 1})


def list_elements(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    select_email(req, state)
    page = check_range(loose_int(req.query.get("pageNum", "1"), "pageNum"), 1, 10_000, "pageNum")
    size = check_range(loose_int(req.query.get("pageSize", "20"), "pageSize"), 1, 100, "pageSize")
    tag = req.query.get("tag")
    with state.lock:
        found = [e for (lib, _), e in state.elements.items() if lib == "useapi"]
    found = [e for e in found if tag is None or e["tag"] == tag]
    found.sort(key=lambda e: e["createTime"], reverse=True)
    chunk = found[(page - 1) * size : page * size]
    return json_response(
        {"elements": chunk, "count": len(found), "pageNum": page, "pageSize": size}
    )


def delete_element(req: Request, state: SandboxState, element_id: str) -> Response:
    authenticate(req, state)
    select_email(req, state)
    element = state.drop_element("useapi", element_id)
    if element is None:
        raise ApiError(404, f"Element {element_id} was not found")
    return json_response({"id": element_id, "deleted": True})


def _capacity(state: SandboxState) -> tuple[int, int]:
    limit = state.config.max_jobs or 50
    return limit, state.active_count("useapi")


def list_accounts(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    limit, _ = _capacity(state)
    return json_response(
        {
            e: {"email": e, "maxJobs": limit, "status": "active"}
            for e in state.config.useapi_accounts
        }
    )


def show_account(req: Request, state: SandboxState, email: str) -> Response:
    authenticate(req, state)
    if email not in state.config.useapi_accounts:
        raise ApiError(404, f"Kling account {email!r} not found")
    limit, _ = _capacity(state)
    return json_response(
        {
            "email": email,
            "maxJobs": limit,
            "vip": state.config.useapi_vip,
            "balance": {"credits": 6600, "sandbox": True},
        }
    )


def scheduler(req: Request, state: SandboxState) -> Response:
    authenticate(req, state)
    limit, executing = _capacity(state)
    first = state.config.useapi_accounts[0]
    accounts = [
        {
            "email": first,
            "maxJobs": limit,
            "executing": executing,
            "available": max(0, limit - executing),
        }
    ]
    for email in state.config.useapi_accounts[1:]:
        accounts.append({"email": email, "maxJobs": limit, "executing": 0, "available": limit})
    return json_response(
        {
            "accounts": accounts,
            "executing": executing,
            "available": sum(a["available"] for a in accounts),
        }
    )


ROUTES = [
    route("POST", r"/assets/?", upload_asset),
    route("POST", r"/elements/?", create_element),
    route("GET", r"/elements/?", list_elements),
    route("DELETE", r"/elements/([^/]+)", delete_element),
    route("GET", r"/accounts/?", list_accounts),
    route("GET", r"/accounts/([^/]+)", show_account),
    route("GET", r"/scheduler/available", scheduler),
]
