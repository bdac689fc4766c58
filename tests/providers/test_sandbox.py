"""The sandbox speaks the four vendors' documented shapes over real loopback HTTP: auth, create,
poll, download of a real MP4, assets and elements, faults, callbacks, and bad requests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from providers.sandbox_helpers import (
    DELAY,
    Receiver,
    client,
    jpeg,
    kling_token,
    png,
    probe,
    running,
    wait_for,
)

from storyboard.providers.sandbox import SANDBOX_CREDENTIALS, base_urls

PNG = {"Content-Type": "image/png"}
KLING_BODY = {
    "model_name": "kling-v3-omni",
    "prompt": "a lighthouse at dusk",
    "duration": "3",
    "aspect_ratio": "16:9",
    "mode": "std",
}
APIMART_BODY = {"model": "kling-v3-omni", "prompt": "a red kite over dunes", "duration": 3}


@pytest.fixture
def sandbox(tmp_path):
    with running(tmp_path) as sb:
        yield sb


def useapi_done(c: httpx.Client, task_id: int) -> dict:
    return wait_for(lambda: c.get(f"/tasks/{task_id}").json(), lambda j: j["status_final"])


def kling_done(c: httpx.Client, path: str) -> dict:
    final = ("succeed", "failed")
    return wait_for(lambda: c.get(path).json(), lambda j: j["data"]["task_status"] in final)


def apimart_done(c: httpx.Client, task_id: str) -> dict:
    final = ("completed", "failed", "cancelled")
    return wait_for(
        lambda: c.get(f"/v1/tasks/{task_id}").json(), lambda j: j["data"]["status"] in final
    )


# --- the process and its pages ------------------------------------------------------------


def test_the_root_page_health_and_unknown_paths_answer_plainly(sandbox):
    with client(sandbox) as c:
        assert "offline simulator" in c.get("/").text
        assert c.get("/_sandbox/health").text == "ok\n"
        assert c.get("/nowhere").status_code == 404
        assert c.post("/files/x").status_code == 405
        assert c.get("/files/tasks/nope/video.mp4").status_code == 404


def test_base_urls_follow_the_fixed_layout():
    assert base_urls("http://127.0.0.1:8765/") == {
        "useapi": "http://127.0.0.1:8765/useapi/v1/kling",
        "kling": "http://127.0.0.1:8765/kling",
        "cometapi": "http://127.0.0.1:8765/cometapi",
        "apimart": "http://127.0.0.1:8765/apimart",
    }


def test_the_command_serves_until_sigterm(tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "storyboard.providers.sandbox",
            "--port",
            "0",
            "--quiet",
            "--data-dir",
            str(tmp_path),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = proc.stderr.readline()
        assert "serving on http://127.0.0.1:" in line
        url = line.split("serving on ")[1].split()[0]
        assert httpx.get(url + "/_sandbox/health", trust_env=False).text == "ok\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.stderr.close()


# --- authentication -----------------------------------------------------------------------


def test_each_dialect_refuses_missing_or_wrong_credentials(sandbox):
    with httpx.Client(base_url=sandbox.url, trust_env=False, timeout=10) as c:
        r = c.post("/useapi/v1/kling/videos/omni", json={"prompt": "x"})
        assert r.status_code == 401 and "error" in r.json()
        r = c.post("/kling/v1/videos/omni-video", json=KLING_BODY)
        assert (r.status_code, r.json()["code"]) == (401, 1001)
        bad = {"Authorization": "Bearer nope"}
        r = c.post("/cometapi/kling/v1/videos/omni-video", json=KLING_BODY, headers=bad)
        assert r.status_code == 401 and set(r.json()["error"]) == {
            "message",
            "type",
            "param",
            "code",
        }
        r = c.post("/apimart/v1/videos/generations", json=APIMART_BODY, headers=bad)
        assert r.status_code == 401 and r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("not-a-jwt", 1002),
        (kling_token()[:-3] + "AAA", 1002),  # badly signed
        (kling_token(now=time.time() - 3600), 1004),  # expired half an hour ago
        (kling_token(now=time.time() + 600), 1003),  # nbf ten minutes ahead
    ],
)
def test_kling_checks_the_jwt_signature_and_times(sandbox, token, code):
    with httpx.Client(base_url=sandbox.base_urls["kling"], trust_env=False) as c:
        r = c.get("/v1/videos/omni-video", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json()["code"] == code and r.json()["request_id"]


def test_kling_tolerates_a_few_seconds_of_clock_skew(sandbox):
    creds = SANDBOX_CREDENTIALS["kling"]
    from storyboard.providers.sandbox import mint_jwt

    token = mint_jwt(creds["access_key"], creds["secret_key"], now=time.time() - 1802)  # exp-2s
    with httpx.Client(base_url=sandbox.base_urls["kling"], trust_env=False) as c:
        r = c.get("/v1/videos/omni-video", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["code"] == 0


def test_useapi_refuses_an_unknown_account_email(sandbox):
    with client(sandbox, "useapi") as c:
        r = c.post("/videos/omni", json={"prompt": "x", "email": "someone@else"})
        assert r.status_code == 400 and "someone@else" in r.json()["error"]
        assert c.get("/accounts").json()["demo@sandbox.local"]["maxJobs"] >= 1
        assert c.get("/scheduler/available").json()["available"] >= 1


# --- useapi -------------------------------------------------------------------------------


def test_useapi_assets_elements_and_a_multi_shot_task_to_a_clean_master(sandbox):
    with client(sandbox, "useapi") as c:
        up = c.post("/assets/", content=png(), headers=PNG).json()
        assert up["status"] == 3 and up["url"].startswith(sandbox.url + "/files/assets/")
        assert c.get(up["url"]).content == png()
        cover = c.post("/assets", content=jpeg(), headers={"Content-Type": "image/jpeg"}).json()
        made = c.post(
            "/elements", json={"name": "Chef", "coverImage": cover["url"], "tag": "character"}
        ).json()
        element = made["elements"][0]
        assert made["count"] == 1 and element["id"].startswith("u_")
        assert element["name"].startswith("Chef ") and len(element["name"]) == len("Chef ") + 5
        body = {
            "omni_version": "v3",
            "image_1": up["url"],
            "element_1": element["id"],
            "shot_1_prompt": "the chef @element_1",
            "shot_1_duration": "2",
            "shot_2_prompt": "the stove @image_1",
            "shot_2_duration": "2",
        }
        created = c.post("/videos/omni", json=body).json()
        assert created["task"]["status_name"] == "submitted" and created["status"] == 5
        assert isinstance(created["task"]["id"], int) and created["works"] == []
        seen = {c.get(f"/tasks/{created['task']['id']}").json()["status_name"]}
        done = useapi_done(c, created["task"]["id"])
        assert done["status_name"] == "succeed" and done["task"]["status"] == 99
        work = done["works"][0]
        assert work["resource"]["duration"] == 4000
        watermarked = c.get(work["resource"]["resource"]).content
        clean_url = c.get(
            "/assets/download", params={"workIds": work["workId"], "fileTypes": "MP4"}
        ).json()["cdnUrl"]
        clean = c.get(clean_url).content
        assert clean != watermarked
        for data in (clean, watermarked):
            seconds, width, height = probe(data)
            assert seconds == pytest.approx(4, abs=0.05) and (width, height) == (64, 36)
        assert c.get(work["cover"]["resource"]).headers["content-type"] == "image/png"
        assert seen <= {"submitted", "processing"}
        assert [e["id"] for e in c.get("/elements").json()["elements"]] == [element["id"]]
        assert c.delete(f"/elements/{element['id']}").status_code == 200
        assert c.delete(f"/elements/{element['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"prompt": "x", "duration": 5}, 400, "string"),
        ({"prompt": "x", "duration": "16"}, 400, "3 to 15"),
        ({"prompt": "x", "omni_version": "o1", "duration": "11"}, 400, "3 to 10"),
        ({"duration": "5"}, 400, "prompt is required"),
        (
            {
                "shot_1_prompt": "a",
                "shot_1_duration": "2",
                "shot_3_prompt": "b",
                "shot_3_duration": "2",
            },
            400,
            "without gaps",
        ),
        (
            {
                "prompt": "x",
                "shot_1_prompt": "a",
                "shot_1_duration": "2",
                "shot_2_prompt": "b",
                "shot_2_duration": "2",
            },
            400,
            "cannot be combined",
        ),
        ({"prompt": "x", "image_1": "https://example.com/a.png"}, 404, "VALID.ResourceNotFound"),
        ({"prompt": "x", "element_1": "u_nope"}, 404, "VALID.ResourceNotFound"),
        ({"prompt": "x", "aspect_ratio": "4:3"}, 400, "aspect_ratio"),
    ],
)
def test_useapi_refuses_bodies_the_vendor_refuses(sandbox, body, status, text):
    with client(sandbox, "useapi") as c:
        r = c.post("/videos/omni", json=body)
    assert r.status_code == status and text in r.json()["error"]


def test_useapi_limits_images_with_a_video_and_checks_uploads(sandbox):
    with client(sandbox, "useapi") as c:
        images = [
            c.post("/assets", content=png(colour=f"#{i}{i}0000"), headers=PNG).json()["url"]
            for i in range(5)
        ]
        video = c.post("/assets", content=_some_mp4(sandbox), headers={"Content-Type": "video/mp4"})
        assert video.status_code == 200, video.text
        body = {"prompt": "x", "video_1": video.json()["url"]}
        body.update({f"image_{i + 1}": url for i, url in enumerate(images)})
        r = c.post("/videos/omni", json=body)
        assert (
            r.status_code == 400
            and r.json()["error"] == "Video reference supports maximum 4 images"
        )
        small = c.post("/assets", content=png(100, 100), headers=PNG)
        assert small.status_code == 400 and "300" in small.json()["error"]
        gif = c.post("/assets", content=b"GIF89a", headers={"Content-Type": "image/gif"})
        assert gif.status_code == 400 and "Content-Type" in gif.json()["error"]
        liar = c.post("/assets", content=b"not a png at all", headers=PNG)
        assert liar.status_code == 400


def _some_mp4(sandbox) -> bytes:
    """A real 3 s MP4 made by the sandbox itself (kling path), to upload as a reference."""
    with client(sandbox, "kling") as c:
        task = c.post("/v1/videos/omni-video", json=KLING_BODY).json()["data"]["task_id"]
        done = kling_done(c, f"/v1/videos/omni-video/{task}")
        return c.get(done["data"]["task_result"]["videos"][0]["url"]).content


# --- kling (official) ---------------------------------------------------------------------


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
        assert "external_task_id already exists" in again.json()["message"]
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
        unknown = {**KLING_BODY, "element_list": [{"element_id": "123"}]}
        assert c.post("/v1/videos/omni-video", json=unknown).json()["code"] == 1201
        assert (
            c.post("/v1/general/delete-elements", json={"element_id": element_id}).json()["code"]
            == 0
        )


# --- cometapi -----------------------------------------------------------------------------


def test_cometapi_answers_the_official_envelope_and_its_gateway_errors(sandbox):
    with client(sandbox, "cometapi") as c:
        created = c.post("/kling/v1/videos/omni-video", json=KLING_BODY).json()
        done = kling_done(c, f"/kling/v1/videos/omni-video/{created['data']['task_id']}")
        url = done["data"]["task_result"]["videos"][0]["url"]
        assert probe(c.get(url).content)[0] == pytest.approx(3, abs=0.05)
        bad = c.post("/kling/v1/videos/omni-video", json={**KLING_BODY, "duration": "99"})
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "duration"


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


# --- apimart ------------------------------------------------------------------------------


def test_apimart_urls_alternate_between_string_and_list(sandbox):
    with client(sandbox, "apimart") as c:
        forms, urls = set(), []
        for prompt in ("one", "two"):
            created = c.post("/v1/videos/generations", json={**APIMART_BODY, "prompt": prompt})
            assert created.json()["code"] == 200
            item = created.json()["data"][0]
            assert item["status"] == "submitted" and item["task_id"].startswith("task_")
            video = apimart_done(c, item["task_id"])["data"]["result"]["videos"][0]
            assert video["expires_at"] > time.time()
            forms.add(type(video["url"]).__name__)
            urls.append(video["url"][0] if isinstance(video["url"], list) else video["url"])
        assert forms == {"str", "list"}
        assert probe(c.get(urls[0]).content)[0] == pytest.approx(3, abs=0.05)


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"duration": "6"}, "integer"),
        ({"duration": 6.0}, "integer"),
        ({"image_urls": ["https://x/a.png"], "image_with_roles": []}, "mutually exclusive"),
        ({"image_with_roles": [{"url": "https://x/a.png", "role": "last_frame"}]}, "last_frame"),
        (
            {
                "video_list": [{"video_url": "https://x/v.mp4"}],
                "image_urls": [f"https://x/{i}.png" for i in range(5)],
            },
            "at most 4",
        ),
        (
            {"multi_shot": True, "multi_prompt": [{"index": 1, "prompt": "a", "duration": "3"}]},
            "integer",
        ),
        ({"prompt": ""}, "prompt is required"),
    ],
)
def test_apimart_validates_like_the_vendor(sandbox, change, text):
    with client(sandbox, "apimart") as c:
        r = c.post("/v1/videos/generations", json={**APIMART_BODY, **change})
    assert r.status_code == 400 and text in r.json()["error"]["message"]


# --- faults -------------------------------------------------------------------------------


def test_keyword_429_refuses_the_first_n_creates_with_retry_after(sandbox):
    prompt = "busy [sandbox:429:2]"
    with client(sandbox, "kling") as k, client(sandbox, "useapi") as u:
        for _ in range(2):
            r = k.post("/v1/videos/omni-video", json={**KLING_BODY, "prompt": prompt})
            assert (r.status_code, r.json()["code"], r.headers["retry-after"]) == (429, 1303, "7")
        assert (
            k.post("/v1/videos/omni-video", json={**KLING_BODY, "prompt": prompt}).json()["code"]
            == 0
        )
        r = u.post("/videos/omni", json={"prompt": "[sandbox:429]"})
        assert r.status_code == 429 and r.headers["retry-after"] == "7" and r.json()["error"]
        assert u.post("/videos/omni", json={"prompt": "[sandbox:429]"}).status_code == 200
    with client(sandbox, "cometapi") as c, client(sandbox, "apimart") as a:
        r = c.post("/kling/v1/videos/omni-video", json={**KLING_BODY, "prompt": "[sandbox:429]"})
        assert r.status_code == 429 and r.json()["error"]["type"] == "rate_limit_error"
        r = a.post("/v1/videos/generations", json={**APIMART_BODY, "prompt": "[sandbox:429]"})
        assert r.status_code == 429 and "retry-after" in r.headers


def test_account_faults_through_the_control_endpoint(sandbox):
    with client(sandbox) as ctl, client(sandbox, "apimart") as a:
        r = ctl.post("/_sandbox/faults", json={"dialect": "apimart", "fault": "5xx", "times": 1})
        assert r.json()["faults"]["apimart"] == {"5xx": 1}
        assert (
            ctl.post("/_sandbox/faults", json={"dialect": "x", "fault": "429"}).status_code == 400
        )
        assert a.post("/v1/videos/generations", json=APIMART_BODY).status_code == 503
        assert a.post("/v1/videos/generations", json=APIMART_BODY).status_code == 200
        ctl.post("/_sandbox/faults", json={"dialect": "apimart", "fault": "fail", "times": 3})
        ctl.delete("/_sandbox/faults")
        assert ctl.get("/_sandbox/faults").json()["faults"]["apimart"] == {}


def test_moderation_refusals_per_dialect(sandbox):
    with client(sandbox, "useapi") as u, client(sandbox, "kling") as k:
        r = u.post("/videos/omni", json={"prompt": "[sandbox:moderation]"})
        assert r.status_code == 500 and "(CM_EXT.POther)" in r.json()["error"]
        created = u.post("/videos/omni", json={"prompt": "[sandbox:moderation-task]"}).json()
        r = wait_for(
            lambda: u.get(f"/tasks/{created['task']['id']}"), lambda r: r.status_code != 200
        )
        assert r.status_code == 500 and "community guidelines" in r.json()["error"]
        r = k.post("/v1/videos/omni-video", json={**KLING_BODY, "prompt": "[sandbox:moderation]"})
        assert (r.status_code, r.json()["code"]) == (400, 1301)
        body = {**KLING_BODY, "prompt": "x [sandbox:moderation-task]"}
        task = k.post("/v1/videos/omni-video", json=body).json()["data"]["task_id"]
        done = kling_done(k, f"/v1/videos/omni-video/{task}")["data"]
        assert done["task_status"] == "failed" and "risk control" in done["task_status_msg"]
    with client(sandbox, "apimart") as a:
        body = {**APIMART_BODY, "prompt": "[sandbox:moderation]"}
        task = a.post("/v1/videos/generations", json=body).json()["data"][0]["task_id"]
        done = apimart_done(a, task)["data"]
        assert done["status"] == "failed" and done["error"]["code"] == "content_policy_violation"


def test_5xx_once_then_normal_and_a_failing_first_poll(sandbox):
    with client(sandbox, "useapi") as u, client(sandbox, "kling") as k:
        r = u.post("/videos/omni", json={"prompt": "[sandbox:5xx]"})
        assert r.status_code == 500 and "CM_EXT" not in r.json()["error"]
        assert u.post("/videos/omni", json={"prompt": "[sandbox:5xx]"}).status_code == 200
        r = k.post("/v1/videos/omni-video", json={**KLING_BODY, "prompt": "[sandbox:5xx]"})
        assert (r.status_code, r.json()["code"]) == (500, 5000)
        body = {**KLING_BODY, "prompt": "[sandbox:poll5xx]"}
        task = k.post("/v1/videos/omni-video", json=body).json()["data"]["task_id"]
        assert k.get(f"/v1/videos/omni-video/{task}").json()["code"] == 5001
        assert k.get(f"/v1/videos/omni-video/{task}").json()["code"] == 0


def test_slow_answers_take_slow_seconds(sandbox):
    with client(sandbox, "apimart") as a:
        started = time.monotonic()
        r = a.post("/v1/videos/generations", json={**APIMART_BODY, "prompt": "[sandbox:slow]"})
        assert r.status_code == 200 and time.monotonic() - started >= 0.6
    with client(sandbox, "apimart") as a, pytest.raises(httpx.ReadTimeout):
        a.post(
            "/v1/videos/generations", json={**APIMART_BODY, "prompt": "[sandbox:slow]"}, timeout=0.2
        )


def test_poll404_fail_and_credits(sandbox):
    with client(sandbox, "useapi") as u, client(sandbox, "kling") as k:
        task = u.post("/videos/omni", json={"prompt": "[sandbox:poll404]"}).json()["task"]["id"]
        r = wait_for(lambda: u.get(f"/tasks/{task}"), lambda r: r.status_code != 200)
        assert r.status_code == 404 and r.json()["error"]
        task = u.post("/videos/omni", json={"prompt": "[sandbox:fail]"}).json()["task"]["id"]
        done = useapi_done(u, task)
        assert done["status_name"] == "failed" and done["message"] and done["works"] == []
        r = u.post("/videos/omni", json={"prompt": "[sandbox:credits]"})
        assert r.status_code == 400 and "credits" in r.json()["error"].lower()
        r = k.post("/v1/videos/omni-video", json={**KLING_BODY, "prompt": "[sandbox:credits]"})
        assert (r.status_code, r.json()["code"]) == (429, 1102)
        body = {**KLING_BODY, "prompt": "[sandbox:poll404]"}
        task = k.post("/v1/videos/omni-video", json=body).json()["data"]["task_id"]
        path = f"/v1/videos/omni-video/{task}"
        r = wait_for(lambda: k.get(path), lambda r: r.status_code != 200)
        assert (r.status_code, r.json()["code"]) == (404, 1203)


def test_truncated_and_expired_downloads(sandbox):
    with client(sandbox, "kling") as k:
        urls = {}
        for fault in ("truncate", "expired"):
            body = {**KLING_BODY, "prompt": f"x [sandbox:{fault}]"}
            task = k.post("/v1/videos/omni-video", json=body).json()["data"]["task_id"]
            done = kling_done(k, f"/v1/videos/omni-video/{task}")
            urls[fault] = done["data"]["task_result"]["videos"][0]["url"]
        with pytest.raises(httpx.RemoteProtocolError):
            k.get(urls["truncate"])
        assert k.get(urls["expired"]).status_code == 403
    with client(sandbox, "apimart") as a:
        body = {**APIMART_BODY, "prompt": "[sandbox:expired] [sandbox:url-string]"}
        task = a.post("/v1/videos/generations", json=body).json()["data"][0]["task_id"]
        video = apimart_done(a, task)["data"]["result"]["videos"][0]
        assert video["expires_at"] < time.time() and a.get(video["url"]).status_code == 403


# --- callbacks ----------------------------------------------------------------------------


def test_callbacks_reach_a_local_receiver_for_each_status(sandbox):
    receiver = Receiver(fail_first=1)  # the first delivery fails: the sandbox retries it
    try:
        with client(sandbox, "useapi") as u, client(sandbox, "kling") as k:
            u.post(
                "/videos/omni",
                json={"prompt": "u", "replyUrl": receiver.url + "/u", "replyRef": "job-7"},
            )
            k.post(
                "/v1/videos/omni-video", json={**KLING_BODY, "callback_url": receiver.url + "/k"}
            )
        with client(sandbox, "apimart") as a:
            a.post("/v1/videos/generations", json={**APIMART_BODY, "webhook": receiver.url + "/a"})
        receiver.wait(lambda got: sum(1 for _, b in got if _final(b)) == 3)
        by_path: dict[str, list] = {}
        for path, body in receiver.received:
            by_path.setdefault(path, []).append(body)
        assert set(by_path) == {"/u", "/k", "/a/callback"}
        assert [b["status_name"] for b in by_path["/u"]] == ["submitted", "processing", "succeed"]
        assert all(b["replyRef"] == "job-7" for b in by_path["/u"])
        assert [b["task_status"] for b in by_path["/k"]] == ["submitted", "processing", "succeed"]
        assert by_path["/k"][-1]["task_result"]["videos"][0]["url"]
        statuses = [b["data"]["status"] for b in by_path["/a/callback"]]
        assert statuses == ["pending", "processing", "completed"]
    finally:
        receiver.close()


def _final(body: dict) -> bool:
    data = body.get("data") if isinstance(body.get("data"), dict) else body
    return (
        data.get("status_name") == "succeed"
        or data.get("task_status") == "succeed"
        or (data.get("status") == "completed")
    )


def test_a_dead_callback_receiver_does_not_disturb_the_task(sandbox):
    with client(sandbox, "kling") as k:
        body = {**KLING_BODY, "callback_url": "http://127.0.0.1:9/nowhere"}
        task = k.post("/v1/videos/omni-video", json=body).json()["data"]["task_id"]
        assert kling_done(k, f"/v1/videos/omni-video/{task}")["data"]["task_status"] == "succeed"


# --- bad requests -------------------------------------------------------------------------


def test_bad_json_wrong_type_unknown_paths_answer_in_each_dialect_shape(sandbox):
    raw = {"content": b"{not json", "headers": {"Content-Type": "application/json"}}
    with client(sandbox, "useapi") as u:
        assert "not valid JSON" in u.post("/videos/omni", **raw).json()["error"]
        assert (
            u.post("/videos/omni", content=b"x", headers={"Content-Type": "text/plain"}).status_code
            == 415
        )
        assert u.get("/nope").status_code == 404 and u.get("/nope").json()["error"]
        assert u.get("/videos/omni").status_code == 405
    with client(sandbox, "kling") as k:
        r = k.post("/v1/videos/omni-video", **raw)
        assert (r.status_code, r.json()["code"]) == (400, 1201)
        r = k.post(
            "/v1/videos/omni-video", content=b"[1]", headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 400 and "object" in r.json()["message"]
        assert k.get("/v1/nothing").json()["code"] == 1203
        assert k.delete("/v1/videos/omni-video").json()["code"] == 1202
    with client(sandbox, "cometapi") as c:
        assert c.post("/kling/v1/videos/omni-video", **raw).json()["error"]["message"]
    with client(sandbox, "apimart") as a:
        r = a.post("/v1/videos/generations", **raw)
        assert r.status_code == 400 and r.json()["error"]["message"]
        assert a.get("/v1/tasks/task_missing").status_code == 404


def test_the_delay_moves_tasks_through_their_states(tmp_path):
    with running(tmp_path, delay=0.9) as sb, client(sb, "apimart") as a:
        task = a.post("/v1/videos/generations", json=APIMART_BODY).json()["data"][0]["task_id"]
        seen = []
        deadline = time.monotonic() + 20
        while not seen or seen[-1] != "completed":
            status = a.get(f"/v1/tasks/{task}").json()["data"]["status"]
            if not seen or seen[-1] != status:
                seen.append(status)
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert seen == ["pending", "processing", "completed"]
    assert DELAY < 0.9


def test_files_support_range_and_head(sandbox):
    with client(sandbox, "useapi") as u:
        url = u.post("/assets", content=png(), headers=PNG).json()["url"]
        part = u.get(url, headers={"Range": "bytes=0-7"})
        assert part.status_code == 206 and part.content == png()[:8]
        assert part.headers["content-range"] == f"bytes 0-7/{len(png())}"
        head = u.head(url)
        assert head.status_code == 200 and head.headers["content-length"] == str(len(png()))


def test_useapi_accepts_a_multipart_create(sandbox):
    fields = {"prompt": "a quiet harbour", "duration": "3", "count": "2"}
    with client(sandbox, "useapi") as u:
        created = u.post("/videos/omni", data=fields, files={"unused": ("a.txt", b"x")}).json()
        done = useapi_done(u, created["task"]["id"])
    assert done["status_name"] == "succeed" and len(done["works"]) == 2


def test_max_jobs_refuses_creates_over_the_concurrency_limit(tmp_path):
    with running(tmp_path, max_jobs=1, delay=5) as sb, client(sb, "kling") as k:
        assert k.post("/v1/videos/omni-video", json=KLING_BODY).json()["code"] == 0
        r = k.post("/v1/videos/omni-video", json=KLING_BODY)
        assert (r.status_code, r.json()["code"]) == (429, 1303) and r.headers["retry-after"]


def test_cancel_keyword_and_a_broken_renderer_end_tasks_honestly(tmp_path):
    def broken(*args, **kwargs):
        raise ValueError("no encoder")

    with running(tmp_path, renderer=broken) as sb, client(sb, "apimart") as a:
        body = {**APIMART_BODY, "prompt": "[sandbox:cancel]"}
        task = a.post("/v1/videos/generations", json=body).json()["data"][0]["task_id"]
        assert apimart_done(a, task)["data"]["status"] == "cancelled"
        task = a.post("/v1/videos/generations", json=APIMART_BODY).json()["data"][0]["task_id"]
        done = apimart_done(a, task)["data"]
        assert done["status"] == "failed" and "no encoder" in done["error"]["message"]
