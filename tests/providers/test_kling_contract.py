import base64
import hashlib
import hmac
import json

import pytest
from recorded import Replay, answer, provider, two_shot_kitchen

from storyboard.providers.base import Failure, Media, ProviderError, TaskState
from storyboard.providers.kling import mint_jwt
from storyboard.providers.kling import recorded as kling
from storyboard.rules import BodyOptions


def _decode(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_the_jwt_is_hs256_with_iss_exp_and_nbf_signed_by_the_secret():
    token = mint_jwt("my-access", "my-secret", now=1_000_000)
    header, payload, signature = token.split(".")
    assert _decode(header) == {"alg": "HS256", "typ": "JWT"}
    assert _decode(payload) == {"iss": "my-access", "exp": 1_001_800, "nbf": 999_995}
    expected = hmac.new(b"my-secret", f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "==") == expected


def test_the_token_is_reused_for_25_minutes_then_minted_again():
    now = [1_000_000.0]
    replay = Replay({("GET", "/v1/videos/omni-video/1"): answer(200, kling.DONE)})
    p = provider("kling", replay)
    p.clock = lambda: now[0]
    p.get_task("1")
    now[0] += 1400
    p.get_task("1")
    now[0] += 200
    p.get_task("1")
    tokens = [r.headers["authorization"] for r in replay.requests]
    assert tokens[0] == tokens[1] != tokens[2]


def test_an_expired_token_answer_is_re_minted_and_tried_once_more():
    now = [1_000_000.0]
    expired = answer(401, {"code": 1004, "message": "token expired", "request_id": "r"})
    replay = Replay({("GET", "/v1/videos/omni-video/1"): [expired, answer(200, kling.DONE)]})
    p = provider("kling", replay)
    p.clock = lambda: now[0]
    assert p.get_task("1").state == TaskState.SUCCEEDED
    assert len(replay.requests) == 2


def test_the_official_body_carries_our_job_id_and_callback():
    replay = Replay({("POST", "/v1/videos/omni-video"): answer(200, kling.CREATE)})
    handle = provider("kling", replay).create_task(
        two_shot_kitchen("kling"), {"image_1": "https://m/kitchen.jpg"},
        BodyOptions(external_task_id="job-42", callback_url="https://app/hook/x"))
    assert (handle.task_id, handle.external_task_id) == ("860000001", "job-42")
    body = replay.bodies()[0]
    assert body["multi_shot"] is True and body["duration"] == "6"
    assert body["multi_prompt"][1]["prompt"].endswith("<<<image_1>>>")
    assert body["external_task_id"] == "job-42" and body["callback_url"] == "https://app/hook/x"


def test_a_finished_task_lists_the_clean_file_first_and_the_credits():
    replay = Replay({("GET", "/v1/videos/omni-video/860000001"): answer(200, kling.DONE)})
    status = provider("kling", replay).get_task("860000001")
    assert status.state == TaskState.SUCCEEDED and status.credits == 6
    assert [(f.url, f.watermarked) for f in status.results] == [
        ("https://cdn.kling/v1.mp4", False), ("https://cdn.kling/v1w.mp4", True)]


def test_a_task_can_be_found_by_our_own_id_or_is_reported_missing():
    replay = Replay({("GET", "/v1/videos/omni-video/job-42"): answer(200, kling.DONE),
                     ("GET", "/v1/videos/omni-video/job-43"): answer(
                         404, {"code": 1203, "message": "task not found"})})
    p = provider("kling", replay)
    assert p.find_task("job-42").task_id == "860000001"
    assert p.find_task("job-43") is None


def test_a_failed_task_for_content_risk_is_moderation():
    data = {"code": 0, "data": {"task_id": "1", "task_status": "failed",
                                "task_status_msg": "Failure to pass the risk control system"}}
    status = provider("kling", Replay({("GET", "/1"): answer(200, data)})).get_task("1")
    assert status.state == TaskState.FAILED and status.failure == Failure.MODERATION
    assert "risk control" in status.reason


@pytest.mark.parametrize("http, code, kind, retryable", [
    (401, 1000, Failure.AUTHENTICATION, False),
    (429, 1101, Failure.CREDITS, False),
    (429, 1102, Failure.CREDITS, False),
    (403, 1103, Failure.AUTHENTICATION, False),
    (400, 1201, Failure.REJECTED, False),
    (400, 1301, Failure.MODERATION, False),
    (429, 1302, Failure.RATE_LIMITED, True),
    (429, 1303, Failure.RATE_LIMITED, True),
    (429, 1304, Failure.AUTHENTICATION, False),
    (500, 5000, Failure.PROVIDER_FAULT, True),
    (503, 5001, Failure.PROVIDER_FAULT, True),
])
def test_the_code_not_the_http_status_decides(http, code, kind, retryable):
    replay = Replay({("POST", "/v1/videos/omni-video"): answer(
        http, {"code": code, "message": "vendor words", "request_id": "r"},
        {"Retry-After": "3"})})
    with pytest.raises(ProviderError) as caught:
        provider("kling", replay).create_task(two_shot_kitchen("kling"), {}, BodyOptions())
    assert (caught.value.kind, caught.value.retryable) == (kind, retryable)
    assert caught.value.code == code and "vendor words" in caught.value.message


def test_images_go_as_base64_without_a_data_prefix_when_there_is_no_public_url(tmp_path):
    path = tmp_path / "a.jpg"
    path.write_bytes(b"\xff\xd8jpeg")
    p = provider("kling", Replay({}))
    assert p.reference("image_1", Media(path, "image/jpeg", "h")) == base64.b64encode(
        b"\xff\xd8jpeg").decode()
    assert p.reference("image_1", Media(path, "image/jpeg", "h", "https://pub/a.jpg")) == (
        "https://pub/a.jpg")


def test_element_creation_is_a_task_polled_until_the_element_id(tmp_path):
    from storyboard.providers.base import ElementSpec

    (tmp_path / "f.jpg").write_bytes(b"x")
    media = Media(tmp_path / "f.jpg", "image/jpeg", "h", "https://pub/f.jpg")
    replay = Replay({
        ("POST", "/v1/general/advanced-custom-elements"): answer(200, {"code": 0, "data": {
            "task_id": "el-1", "task_status": "submitted"}}),
        ("GET", "/v1/general/advanced-custom-elements/el-1"): [
            answer(200, {"code": 0, "data": {"task_id": "el-1", "task_status": "processing"}}),
            answer(200, {"code": 0, "data": {"task_id": "el-1", "task_status": "succeed",
                                             "task_result": {"elements": [
                                                 {"element_id": "e-99"}]}}})]})
    p = provider("kling", replay)
    started = p.create_element(ElementSpec("Chef", "Head chef", "character", frontal=media,
                                           extra=(media,)))
    assert started.element_id is None and started.task_id == "el-1"
    assert p.element_status("el-1").element_id == "e-99"
    body = replay.bodies()[0]
    assert body["reference_type"] == "image_refer"
    assert body["element_image_list"]["refer_images"] == [{"image_url": "https://pub/f.jpg"}]
    assert body["tag_list"] == [{"tag_id": "o_102"}]
