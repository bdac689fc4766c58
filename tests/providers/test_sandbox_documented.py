"""Each vendor's documented examples go through the sandbox and come back as clips, and each
documented wrong body is refused with that vendor's status, code and error shape.

Examples: the seed tutorial's two-shot kitchen storyboard (useapi and official forms, as in the
repository's provider notes); the official omni-video page's request examples (as copied in
WHQ25/rawgenai docs/research/kling/omni-video-o1.md), with their placeholder media replaced by
media the sandbox can have (uploads, base64, loopback URLs) and their placeholder element ids by
elements made first; APIMart's kling-v3-omni page (docs.apimart.ai). Two of the official page's
examples contradict its own rules and are not run as they are: its text-to-video example sends
o1 with "7" seconds (its FAQ: text and first-frame jobs take 5 or 10), and its video-extension
example sends no aspect_ratio (its field table: required without a first frame or base video).
The sandbox follows the rules, which is what the tests below pin.
"""

from __future__ import annotations

import base64

import pytest
from providers.sandbox_helpers import (
    APIMART_BODY,
    KLING_BODY,
    PNG,
    apimart_done,
    client,
    jpeg,
    kling_done,
    png,
    probe,
    running,
    useapi_done,
)

IMAGE = base64.b64encode(jpeg(640, 480)).decode()
VIDEO_URL = "http://127.0.0.1:9/reference.mp4"  # by URL, as the docs require; never fetched
CHEF = "Cinematic medium shot, a chef standing behind a stainless steel stove {img}, focused"
FLIP = "Continuous scene at the same stove {img}. The chef flips the food, then turns around"


@pytest.fixture
def sandbox(tmp_path):
    with running(tmp_path) as sb:
        yield sb


def kling_elements(c, n: int) -> list[int]:
    ids = []
    for i in range(n):
        made = c.post("/v1/general/advanced-custom-elements", json={
            "element_name": f"Friend {i}", "element_description": "a friend",
            "element_image_list": {"frontal_image": IMAGE, "refer_images": [{"image_url": IMAGE}]},
            "tag_list": [{"tag_id": "o_102"}]}).json()
        done = kling_done(c, f"/v1/general/advanced-custom-elements/{made['data']['task_id']}")
        ids.append(done["data"]["task_result"]["elements"][0]["element_id"])
    return ids


def official_examples(element_ids: list[int]) -> dict[str, dict]:
    kitchen = {
        "model_name": "kling-v3-omni", "multi_shot": True, "shot_type": "customize",
        "mode": "pro", "aspect_ratio": "16:9", "duration": "6",
        "multi_prompt": [
            {"index": 1, "prompt": CHEF.format(img="<<<image_1>>>"), "duration": "3"},
            {"index": 2, "prompt": FLIP.format(img="<<<image_1>>>"), "duration": "3"}],
        "image_list": [{"image_url": IMAGE}],
    }
    elements = [{"element_id": e} for e in element_ids]
    return {
        "kitchen": kitchen,
        "image and element reference": {
            "model_name": "kling-video-o1", "mode": "pro", "aspect_ratio": "1:1",
            "duration": "7",
            "prompt": "<<<image_1>>> walks in Tokyo, meets <<<element_1>>> and <<<element_2>>>,"
                      " in the style of <<<image_2>>>",
            "image_list": [{"image_url": IMAGE}, {"image_url": IMAGE}],
            "element_list": elements},
        "instruction edit": {
            "model_name": "kling-video-o1", "mode": "pro",
            "prompt": "Put the crown of <<<image_1>>> on the girl in blue in <<<video_1>>>",
            "image_list": [{"image_url": IMAGE}],
            "video_list": [{"video_url": VIDEO_URL, "refer_type": "base",
                            "keep_original_sound": "yes"}]},
        "video reference": {
            "model_name": "kling-video-o1", "mode": "pro", "aspect_ratio": "1:1",
            "duration": "7",
            "prompt": "With the camera moves of <<<video_1>>>: <<<element_1>>> and "
                      "<<<element_2>>> stroll in Tokyo and meet <<<image_1>>>",
            "image_list": [{"image_url": IMAGE}], "element_list": elements,
            "video_list": [{"video_url": VIDEO_URL, "refer_type": "feature",
                            "keep_original_sound": "yes"}]},
        "first and end frame": {
            "model_name": "kling-video-o1", "mode": "pro", "prompt": "the person dances",
            "image_list": [{"image_url": IMAGE, "type": "first_frame"},
                           {"image_url": IMAGE, "type": "end_frame"}]},
    }


@pytest.mark.parametrize("dialect, prefix", [("kling", ""), ("cometapi", "/kling")])
def test_the_official_examples_become_clips(sandbox, dialect, prefix):
    with client(sandbox, "kling") as k:
        ids = kling_elements(k, 2)  # CometAPI's ids are those of the Kling account behind it
    seconds = {"kitchen": 6, "image and element reference": 7, "instruction edit": 5,
               "video reference": 7, "first and end frame": 5}
    with client(sandbox, dialect) as c:
        for name, body in official_examples(ids).items():
            created = c.post(f"{prefix}/v1/videos/omni-video", json=body)
            assert created.json()["code"] == 0, (name, created.text)
            path = f"{prefix}/v1/videos/omni-video/{created.json()['data']['task_id']}"
            done = kling_done(c, path)["data"]
            assert done["task_status"] == "succeed", (name, done)
            clip = c.get(done["task_result"]["videos"][0]["url"]).content
            assert probe(clip)[0] == pytest.approx(seconds[name], abs=0.05), name


def test_the_useapi_kitchen_example_becomes_a_clip(sandbox):
    with client(sandbox, "useapi") as u:
        kitchen = u.post("/assets", content=png(), headers=PNG).json()["url"]
        body = {"omni_version": "v3", "mode": "pro", "aspect_ratio": "16:9", "image_1": kitchen,
                "shot_1_prompt": CHEF.format(img="@image_1"), "shot_1_duration": "3",
                "shot_2_prompt": FLIP.format(img="@image_1"), "shot_2_duration": "3"}
        created = u.post("/videos/omni", json=body)
        assert created.status_code == 200, created.text
        done = useapi_done(u, created.json()["task"]["id"])
        assert done["status_name"] == "succeed"
        assert done["works"][0]["resource"]["duration"] == 6000


def test_the_apimart_example_becomes_a_clip(sandbox):
    body = {"model": "kling-v3-omni", "prompt": "Make the person in <<<image_1>>> wave at the "
            "camera", "image_urls": ["http://127.0.0.1:9/person.webp"], "mode": "std",
            "duration": 5, "aspect_ratio": "16:9"}
    with client(sandbox, "apimart") as a:
        created = a.post("/v1/videos/generations", json=body).json()
        assert created["code"] == 200 and created["data"][0]["status"] == "submitted"
        assert apimart_done(a, created["data"][0]["task_id"])["data"]["status"] == "completed"


SMALL = base64.b64encode(png(100, 100)).decode()
OFFICIAL_WRONG = [
    ({"element_list": [{"element_id": "860000000000000001"}]}, "must be an integer"),
    ({"element_list": [{"element_id": 999}]}, "element_id 999 does not exist"),
    ({"video_list": [{"video_url": IMAGE, "refer_type": "feature"}]}, "never taken as base64"),
    ({"duration": 5}, "string"),
    ({"multi_shot": True, "multi_prompt": [{"index": 1, "prompt": "a", "duration": "2"}]},
     "sum to 2"),
    ({"prompt": None}, "prompt is required"),
    ({"mode": "ultra"}, "mode must be one of"),
    ({"prompt": "x" * 2501}, "longer than 2500"),
    ({"image_list": [{"image_url": IMAGE}, {"image_url": IMAGE, "type": "first_frame"},
                     {"image_url": IMAGE, "type": "end_frame"}]}, "more than 2 images"),
    ({"model_name": "kling-video-o1", "duration": "7"}, "5 or 10"),
    ({"aspect_ratio": None}, "aspect_ratio is required"),
    ({"image_list": [{"image_url": SMALL}]}, "at least 300 px"),
    ({"image_list": [{"image_url": "data:image/png;base64," + IMAGE}]}, "data: prefix"),
]


@pytest.mark.parametrize("dialect, prefix", [("kling", ""), ("cometapi", "/kling")])
@pytest.mark.parametrize("change, text", OFFICIAL_WRONG)
def test_official_wrong_bodies_are_refused_with_code_1201(sandbox, dialect, prefix, change,
                                                          text):
    body = {k: v for k, v in {**KLING_BODY, **change}.items() if v is not None}
    with client(sandbox, dialect) as c:
        r = c.post(f"{prefix}/v1/videos/omni-video", json=body)
    assert r.status_code == 400
    assert set(r.json()) == {"code", "message", "request_id", "data"}  # the official envelope
    assert r.json()["code"] == 1201 and text in r.json()["message"], r.json()


@pytest.mark.parametrize("body, status, text", [
    ({"prompt": "x", "duration": 5}, 400, "string"),
    ({"prompt": "x", "shot_1_prompt": "a", "shot_1_duration": "2", "shot_2_prompt": "b",
      "shot_2_duration": "2"}, 400, "cannot be combined"),
    ({"prompt": "x", "image_1": "http://127.0.0.1:9/a.png"}, 404, "VALID.ResourceNotFound"),
    ({"prompt": "x", "element_1": "u_gone"}, 404, "Element u_gone was not found"),
])
def test_useapi_wrong_bodies_are_refused_in_its_shape(sandbox, body, status, text):
    with client(sandbox, "useapi") as u:
        r = u.post("/videos/omni", json=body)
    assert r.status_code == status and r.json() == {"error": r.json()["error"], "code": status}
    assert text in r.json()["error"]


@pytest.mark.parametrize("change, text", [
    ({"duration": "6"}, "integer"),  # the docs: a plain number, "do not add quotes"
    ({"prompt": None}, "prompt is required"),
    ({"mode": "8k"}, "mode must be one of"),
    ({"image_urls": ["http://127.0.0.1:9/a.png"], "image_with_roles": []}, "mutually exclusive"),
])
def test_apimart_wrong_bodies_are_refused_in_its_shape(sandbox, change, text):
    body = {k: v for k, v in {**APIMART_BODY, **change}.items() if v is not None}
    with client(sandbox, "apimart") as a:
        r = a.post("/v1/videos/generations", json=body)
    error = r.json()["error"]
    assert r.status_code == 400 and error["code"] == 400
    assert error["type"] == "invalid_request_error" and text in error["message"]
