"""Kling's official API and CometAPI in the sandbox: the envelope, external ids, elements,
the codes of invalid parameters, and CometAPI's wrapped poll form."""

from __future__ import annotations

import pytest
from providers.sandbox_helpers import (
    KLING_BODY,
    client,
    kling_done,
    probe,
    running,
    wait_for,
)


@pytest.fixture
def sandbox(tmp_path):
    with running(tmp_path) as sb:
        yield sb


def test_kling_multi_shot_task_found_by_external_id_and_never_created_twice(sandbox):
    body = {
        "model_name": "kling-v3-omni",
        "multi_shot": True,
        "shot_type": "customize",
        "aspect_ratio": "9:16",
        "duration": "5",
        "external_task_id": "job-42",
        "watermark_info": {"enabled": True},
        "multi_prompt": [
            {"index": 1, "prompt": "a", "duration": "2"},
            {"index": 2, "prompt": "b", "duration": "3"},
        ],
    }
    with client(sandbox, "kling") as c:
        created = c.post("/v1/videos/omni-video", json=body).json()
        assert created["code"] == 0 and created["data"]["task_status"] == "submitted"
        assert created["data"]["task_info"]["external_task_id"] == "job-42"
        again = c.post("/v1/videos/omni-video", json=body)
        assert again.status_code == 400 and again.json()["code"] == 1201
        assert again.json()["message"] == "external_task_id job-42 already exists"
        done = kling_done(c, "/v1/videos/omni-video/job-42")
        assert done["data"]["task_id"] == created["data"]["task_id"]
        video = done["data"]["task_result"]["videos"][0]
        assert video["duration"] == "5" and float(done["data"]["final_unit_deduction"]) > 0
        clean, marked = c.get(video["url"]).content, c.get(video["watermark_url"]).content
        assert clean != marked
        assert probe(clean) == pytest.approx((5, 36, 64), abs=0.05)
        listed = c.get("/v1/videos/omni-video", params={"pageNum": 1, "pageSize": 30}).json()
        assert [t["task_id"] for t in listed["data"]] == [created["data"]["task_id"]]

@pytest.mark.parametrize(
    ("change", "text"),
    [
        (
            {"multi_shot": True, "multi_prompt": [{"index": 1, "prompt": "a", "duration": "2"}]},
            "sum to 2",
        ),
        ({"duration": 3}, "string"),
        ({"aspect_ratio": None}, "aspect_ratio"),
        ({"model_name": "kling-video-o1"}, "5 or 10"),
        ({"sound": "on", "video_list": [{"video_url": "https://x/v.mp4"}]}, "sound"),
    ],
)
def test_kling_refuses_invalid_parameters_with_code_1201(sandbox, change, text):
    body = {k: v for k, v in {**KLING_BODY, **change}.items() if v is not None}
    with client(sandbox, "kling") as c:
        r = c.post("/v1/videos/omni-video", json=body)
    assert r.status_code == 400 and r.json()["code"] == 1201 and text in r.json()["message"]

def test_kling_elements_are_created_asynchronously_then_usable(sandbox):
    body = {
        "element_name": "Heroine",
        "element_description": "The heroine, front and side",
        "reference_type": "image_refer",
        "element_image_list": {
            "frontal_image": "https://x/f.png",
            "refer_images": [{"image_url": "https://x/s.png"}],
        },
        "tag_list": [{"tag_id": "o_102"}],
    }
    with client(sandbox, "kling") as c:
        task = c.post("/v1/general/advanced-custom-elements", json=body).json()["data"]
        assert task["task_status"] == "submitted" and "task_result" not in task
        path = f"/v1/general/advanced-custom-elements/{task['task_id']}"
        done = kling_done(c, path)
        element_id = done["data"]["task_result"]["elements"][0]["element_id"]
        job = {**KLING_BODY, "element_list": [{"element_id": element_id}]}
        assert c.post("/v1/videos/omni-video", json=job).json()["code"] == 0
        unknown = c.post(
            "/v1/videos/omni-video", json={**KLING_BODY, "element_list": [{"element_id": 123}]}
        )
        assert (unknown.status_code, unknown.json()["code"]) == (400, 1201)
        assert unknown.json()["message"] == "element_id 123 does not exist"
        assert unknown.json()["data"] is None and unknown.json()["request_id"]
        assert (
            c.post("/v1/general/delete-elements", json={"element_id": element_id}).json()["code"]
            == 0
        )

def test_cometapi_answers_the_official_envelope_and_its_gateway_errors(sandbox):
    with client(sandbox, "cometapi") as c:
        created = c.post("/kling/v1/videos/omni-video", json=KLING_BODY).json()
        done = kling_done(c, f"/kling/v1/videos/omni-video/{created['data']['task_id']}")
        url = done["data"]["task_result"]["videos"][0]["url"]
        assert probe(c.get(url).content)[0] == pytest.approx(3, abs=0.05)
        # an upstream refusal passes through in the official envelope with Kling's code...
        bad = c.post("/kling/v1/videos/omni-video", json={**KLING_BODY, "duration": "99"})
        assert (bad.status_code, bad.json()["code"]) == (400, 1201)
        assert "duration" in bad.json()["message"]
        # ...the gateway's own refusals in its {"error": {...}} shape
        denied = c.post(
            "/kling/v1/videos/omni-video", json=KLING_BODY, headers={"Authorization": "Bearer x"}
        )
        assert denied.status_code == 401
        assert denied.json()["error"]["type"] == "authentication_error"


@pytest.mark.parametrize("how", ["config", "keyword"])
def test_cometapi_wrapped_form(tmp_path, how):
    prompt = "a kite" + (" [sandbox:wrapped]" if how == "keyword" else "")
    with running(tmp_path, cometapi_wrapped=how == "config") as sb, client(sb, "cometapi") as c:
        created = c.post("/kling/v1/videos/omni-video", json={**KLING_BODY, "prompt": prompt})
        path = f"/kling/v1/videos/omni-video/{created.json()['data']['task_id']}"
        done = wait_for(lambda: c.get(path).json(), lambda j: j["data"]["status"] == "SUCCESS")
        assert done["data"]["progress"] == "100%"
        url = done["data"]["data"]["task_result"]["videos"][0]["url"]
        assert c.get(url).status_code == 200
