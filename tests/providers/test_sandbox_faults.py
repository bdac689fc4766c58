"""Fault injection (keywords and the control endpoint), callbacks, concurrency limits and
honest failures."""

from __future__ import annotations

import time

import httpx
import pytest
from providers.sandbox_helpers import (
    APIMART_BODY,
    KLING_BODY,
    Receiver,
    apimart_done,
    client,
    kling_done,
    running,
    useapi_done,
    wait_for,
)


@pytest.fixture
def sandbox(tmp_path):
    with running(tmp_path) as sb:
        yield sb


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

def _kling_videos(k, prompt: str) -> tuple[str, dict]:
    body = {**KLING_BODY, "prompt": prompt, "watermark_info": {"enabled": True}}
    task = k.post("/v1/videos/omni-video", json=body).json()
    path = f"/v1/videos/omni-video/{task['data']['task_id']}"
    return path, kling_done(k, path)["data"]["task_result"]["videos"][0]


def test_a_stale_link_expires_until_the_task_is_polled_again(sandbox):
    with client(sandbox, "kling") as k:
        path, first = _kling_videos(k, "x [sandbox:stale-link]")
        assert k.get(first["url"]).status_code == 403
        assert k.get(first["watermark_url"]).status_code == 403  # signed in the same answer
        fresh = k.get(path).json()["data"]["task_result"]["videos"][0]
        assert fresh["url"] != first["url"]
        assert k.get(fresh["url"]).status_code == 200
        assert k.get(first["url"]).status_code == 403  # the old link stays expired
        path, first = _kling_videos(k, "y [sandbox:stale-link:2]")
        assert k.get(first["url"]).status_code == 403
        second = k.get(path).json()["data"]["task_result"]["videos"][0]
        assert k.get(second["url"]).status_code == 403
        third = k.get(path).json()["data"]["task_result"]["videos"][0]
        assert k.get(third["url"]).status_code == 200
    with client(sandbox, "useapi") as u:
        task = u.post("/videos/omni", json={"prompt": "[sandbox:stale-link]"}).json()["task"]
        work = useapi_done(u, task["id"])["works"][0]["workId"]
        ask = {"workIds": work, "fileTypes": "MP4"}
        first = u.get("/assets/download", params=ask).json()["cdnUrl"]
        assert u.get(first).status_code == 403
        fresh = u.get("/assets/download", params=ask).json()["cdnUrl"]
        assert fresh != first and u.get(fresh).status_code == 200


def test_file5xx_answers_503_for_the_first_n_downloads(sandbox):
    with client(sandbox, "kling") as k:
        _, video = _kling_videos(k, "x [sandbox:file5xx:2]")
        assert [k.get(video["url"]).status_code for _ in range(3)] == [503, 503, 200]
    with sandbox.state.lock:
        assert [t.file_fetches for t in sandbox.state.tasks.values()] == [3]

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
