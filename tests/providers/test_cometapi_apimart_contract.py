import pytest
from recorded import Replay, answer, provider, two_shot_kitchen

from storyboard.providers.apimart import NEEDS_PUBLIC_URL
from storyboard.providers.apimart import recorded as apimart
from storyboard.providers.base import Failure, Media, ProviderError, TaskState
from storyboard.providers.cometapi import recorded as cometapi
from storyboard.providers.kling import recorded as kling
from storyboard.rules import BodyOptions


def test_cometapi_sends_the_official_body_under_its_kling_prefix_with_its_key():
    replay = Replay({("POST", "/kling/v1/videos/omni-video"): answer(200, cometapi.CREATE)})
    handle = provider("cometapi", replay).create_task(
        two_shot_kitchen("cometapi"), {"image_1": "https://m/k.jpg"},
        BodyOptions(external_task_id="job-1"))
    assert handle.task_id == "878106484537192522"
    request = replay.requests[0]
    assert request.url.path == "/kling/v1/videos/omni-video"
    assert request.headers["authorization"] == "Bearer key"
    assert replay.bodies()[0]["model_name"] == "kling-v3-omni"


def test_cometapi_reads_the_official_poll_answer():
    replay = Replay({("GET", "/kling/v1/videos/omni-video/1"): answer(200, kling.DONE)})
    status = provider("cometapi", replay).get_task("1")
    assert status.state == TaskState.SUCCEEDED
    assert status.results[0].url == "https://cdn.kling/v1.mp4"


@pytest.mark.parametrize("wrapped, state, progress", [
    ({"status": "IN_PROGRESS", "progress": "40%", "data": {}}, TaskState.RUNNING, 40),
    ({"status": "SUCCESS", "progress": "100%", "data": {"task_status": "succeed",
      "task_result": {"videos": [{"url": "https://c/v.mp4", "duration": "5"}]}}},
     TaskState.SUCCEEDED, 100),
    ({"status": "FAILURE", "fail_reason": "upstream refused", "data": {}}, TaskState.FAILED,
     None),
])
def test_cometapi_reads_the_wrapped_poll_answer_too(wrapped, state, progress):
    replay = Replay({("GET", "/kling/v1/videos/omni-video/1"): answer(200, {"code": "success",
                                                                          "data": wrapped})})
    status = provider("cometapi", replay).get_task("1")
    assert status.state == state and status.progress == progress
    if state == TaskState.FAILED:
        assert status.reason == "upstream refused"


@pytest.mark.parametrize("http, kind, retryable", [
    (400, Failure.REJECTED, False), (401, Failure.AUTHENTICATION, False),
    (403, Failure.AUTHENTICATION, False), (429, Failure.RATE_LIMITED, True),
    (500, Failure.PROVIDER_FAULT, True), (524, Failure.PROVIDER_FAULT, True)])
def test_cometapi_gateway_errors(http, kind, retryable):
    error = {"error": {"message": "gateway says no", "type": "x", "param": "", "code": "e"}}
    replay = Replay({("POST", "/kling/v1/videos/omni-video"): answer(http, error)})
    with pytest.raises(ProviderError) as caught:
        provider("cometapi", replay).create_task(two_shot_kitchen("cometapi"), {},
                                                 BodyOptions())
    assert (caught.value.kind, caught.value.retryable) == (kind, retryable)
    assert "gateway says no" in caught.value.message


def test_cometapi_passes_nested_upstream_kling_codes_through():
    error = {"error": {"message": "upstream"}, "data": {"code": 1301, "message": "risky"}}
    replay = Replay({("POST", "/kling/v1/videos/omni-video"): answer(400, error)})
    with pytest.raises(ProviderError) as caught:
        provider("cometapi", replay).create_task(two_shot_kitchen("cometapi"), {},
                                                 BodyOptions())
    assert caught.value.kind == Failure.MODERATION


def test_apimart_sends_integer_durations_and_reads_the_task_list_answer():
    replay = Replay({("POST", "/v1/videos/generations"): answer(200, apimart.CREATE)})
    handle = provider("apimart", replay).create_task(
        two_shot_kitchen("apimart"), {"image_1": "https://pub/k.jpg"},
        BodyOptions())
    assert handle.task_id == "task_01ABC"
    body = replay.bodies()[0]
    assert body["duration"] == 6 and body["multi_prompt"][0]["duration"] == 3
    assert body["image_urls"] == ["https://pub/k.jpg"]
    assert provider("apimart", replay).callback_options("https://app/hook", "j") == {}
    assert body["prompt"]


@pytest.mark.parametrize("url", ["https://c/v.mp4", ["https://c/v.mp4"]])
def test_apimart_accepts_a_string_or_a_list_of_urls(url):
    done = {"code": 200, "data": {"id": "task_1", "status": "completed", "progress": 100,
                                  "result": {"videos": [{"url": url,
                                                         "expires_at": 1763790000}]}}}
    status = provider("apimart", Replay({("GET", "/v1/tasks/task_1"): answer(200, done)})
                      ).get_task("task_1")
    assert status.state == TaskState.SUCCEEDED
    assert [(f.url, f.expires_at) for f in status.results] == [("https://c/v.mp4", 1763790000)]


@pytest.mark.parametrize("status_name, state", [
    ("pending", TaskState.QUEUED), ("processing", TaskState.RUNNING),
    ("failed", TaskState.FAILED), ("cancelled", TaskState.FAILED)])
def test_apimart_states(status_name, state):
    data = {"code": 200, "data": {"id": "t", "status": status_name, "progress": 30,
                                  "error": {"message": "nope"}}}
    result = provider("apimart", Replay({("GET", "/v1/tasks/t"): answer(200, data)})
                      ).get_task("t")
    assert result.state == state


def test_apimart_refuses_local_media_without_a_public_url(tmp_path):
    with pytest.raises(ProviderError) as caught:
        provider("apimart", Replay({})).reference("image_1", Media(tmp_path / "a.jpg",
                                                                   "image/jpeg", "h"))
    assert caught.value.kind == Failure.REJECTED and caught.value.message == NEEDS_PUBLIC_URL
    assert "STORYBOARD_PUBLIC_BASE_URL" in NEEDS_PUBLIC_URL


@pytest.mark.parametrize("http, kind, retryable", [
    (400, Failure.REJECTED, False), (401, Failure.AUTHENTICATION, False),
    (429, Failure.RATE_LIMITED, True), (502, Failure.PROVIDER_FAULT, True)])
def test_apimart_errors(http, kind, retryable):
    replay = Replay({("POST", "/v1/videos/generations"): answer(http, {"error": {
        "message": "because"}})})
    with pytest.raises(ProviderError) as caught:
        provider("apimart", replay).create_task(two_shot_kitchen("apimart"), {}, BodyOptions())
    assert (caught.value.kind, caught.value.retryable) == (kind, retryable)
