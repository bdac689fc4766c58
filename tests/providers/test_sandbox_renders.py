"""Clips are rendered from the references the sandbox received: an inline base64 image, an
uploaded asset, an element's frontal picture, a URL on a loopback address. Each test sends a
picture of one colour and finds that colour in the clip's frames; without references the clip
is the dark title card."""

from __future__ import annotations

import base64

import pytest
from providers.sandbox_helpers import (
    APIMART_BODY,
    KLING_BODY,
    PNG,
    StaticFiles,
    apimart_done,
    centre_colour,
    client,
    kling_done,
    png,
    running,
    tinted,
    useapi_done,
)

RED, GREEN, BLUE = 0, 1, 2


@pytest.fixture
def sandbox(tmp_path):
    with running(tmp_path) as sb:
        yield sb


@pytest.fixture
def pictures():
    files = StaticFiles({"/red.png": png(400, 300, "red"), "/huge.png": b"x" * 64})
    yield files
    files.close()


def _kling_clip(c, body) -> bytes:
    created = c.post("/v1/videos/omni-video", json=body)
    assert created.json()["code"] == 0, created.text
    done = kling_done(c, f"/v1/videos/omni-video/{created.json()['data']['task_id']}")
    return c.get(done["data"]["task_result"]["videos"][0]["url"]).content


def test_a_base64_image_appears_in_the_frames_and_no_image_gives_the_title_card(sandbox):
    b64 = base64.b64encode(png(320, 320, "red")).decode()
    with client(sandbox, "kling") as k:
        with_picture = _kling_clip(k, {**KLING_BODY, "prompt": "a kite <<<image_1>>>",
                                       "image_list": [{"image_url": b64}]})
        without = _kling_clip(k, KLING_BODY)
    assert tinted(centre_colour(with_picture), RED)
    assert not tinted(centre_colour(without), RED)


def test_a_first_frame_the_prompt_does_not_name_still_shows(sandbox):
    b64 = base64.b64encode(png(320, 320, "blue")).decode()
    body = {**KLING_BODY, "image_list": [{"image_url": b64, "type": "first_frame"}]}
    with client(sandbox, "kling") as k:
        assert tinted(centre_colour(_kling_clip(k, body)), BLUE)


def test_an_uploaded_asset_and_a_useapi_element_cover_appear(sandbox):
    with client(sandbox, "useapi") as u:
        cover = u.post("/assets", content=png(320, 320, "lime"), headers=PNG).json()["url"]
        element = u.post("/elements", json={"name": "Frog", "coverImage": cover}).json()
        created = u.post("/videos/omni", json={
            "prompt": "@element_1 jumps", "duration": "3",
            "element_1": element["elements"][0]["id"]}).json()
        done = useapi_done(u, created["task"]["id"])
        clip = u.get(done["works"][0]["resource"]["resource"]).content
    assert tinted(centre_colour(clip), GREEN)


def test_a_kling_element_frontal_image_appears_on_kling_and_cometapi(sandbox):
    face = base64.b64encode(png(320, 320, "blue")).decode()
    with client(sandbox, "kling") as k, client(sandbox, "cometapi") as c:
        made = k.post("/v1/general/advanced-custom-elements", json={
            "element_name": "Keeper", "element_description": "The keeper",
            "element_image_list": {"frontal_image": face, "refer_images": [{"image_url": face}]},
        }).json()
        done = kling_done(k, f"/v1/general/advanced-custom-elements/{made['data']['task_id']}")
        element_id = done["data"]["task_result"]["elements"][0]["element_id"]
        assert isinstance(element_id, int)  # int64 in every source
        body = {**KLING_BODY, "prompt": "<<<element_1>>> waves",
                "element_list": [{"element_id": element_id}]}
        assert tinted(centre_colour(_kling_clip(k, body)), BLUE)
        # CometAPI fronts the same Kling account: its ids are the account's
        created = c.post("/kling/v1/videos/omni-video", json=body).json()
        done = kling_done(c, f"/kling/v1/videos/omni-video/{created['data']['task_id']}")
        clip = c.get(done["data"]["task_result"]["videos"][0]["url"]).content
        assert tinted(centre_colour(clip), BLUE)


def test_a_loopback_url_is_fetched_once_and_drawn(sandbox, pictures):
    body = {**APIMART_BODY, "prompt": "Make <<<image_1>>> wave",
            "image_urls": [pictures.url + "/red.png"]}
    with client(sandbox, "apimart") as a:
        task = a.post("/v1/videos/generations", json=body).json()["data"][0]["task_id"]
        video = apimart_done(a, task)["data"]["result"]["videos"][0]
        url = video["url"][0] if isinstance(video["url"], list) else video["url"]
        assert tinted(centre_colour(a.get(url).content), RED)
    assert pictures.hits["/red.png"] == 1


@pytest.mark.parametrize("url", [
    "http://192.0.2.10/red.png",  # not loopback: never fetched (the sandbox stays offline)
    "{root}/missing.png",  # loopback, but 404
    "{root}/huge.png",  # loopback, but not a picture
])
def test_a_reference_the_sandbox_cannot_have_leaves_a_title_card(sandbox, pictures, url):
    body = {**APIMART_BODY, "prompt": "Make <<<image_1>>> wave",
            "image_urls": [url.format(root=pictures.url)]}
    with client(sandbox, "apimart") as a:
        task = a.post("/v1/videos/generations", json=body).json()["data"][0]["task_id"]
        done = apimart_done(a, task)["data"]
        assert done["status"] == "completed"
        video = done["result"]["videos"][0]
        url = video["url"][0] if isinstance(video["url"], list) else video["url"]
        assert not tinted(centre_colour(a.get(url).content), RED)


def test_the_fetch_is_capped(monkeypatch, pictures):
    from storyboard.providers.sandbox import references

    assert references.fetch_loopback(pictures.url + "/red.png", limit=100) is None
    assert references.fetch_loopback(pictures.url + "/red.png") == png(400, 300, "red")
    assert references.fetch_loopback("http://192.0.2.10/red.png") is None
