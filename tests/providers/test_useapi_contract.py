import pytest
from recorded import Replay, answer, provider, two_shot_kitchen

from storyboard.providers.base import Failure, Media, ProviderError, TaskState
from storyboard.providers.useapi import recorded as useapi
from storyboard.rules import BodyOptions


def test_a_multi_shot_storyboard_is_sent_with_numbered_shot_fields():
    replay = Replay({("POST", "/videos/omni"): answer(200, useapi.CREATE)})
    handle = provider("useapi", replay).create_task(
        two_shot_kitchen(), {"image_1": "https://s21-kling.klingai.com/kitchen.jpg"},
        BodyOptions(reply_url="https://app.example/hook/abc"))
    assert handle.task_id == "48151623"
    body = replay.bodies()[0]
    assert body["shot_1_duration"] == "3" and body["shot_2_duration"] == "3"
    assert "prompt" not in body and "duration" not in body
    assert body["email"] == "me@example.com"
    assert body["replyUrl"] == "https://app.example/hook/abc"
    assert replay.requests[0].headers["authorization"] == "Bearer tok"


def test_a_finished_task_reports_the_watermarked_file_and_the_clean_master_first():
    replay = Replay({("GET", "/tasks/48151623"): answer(200, useapi.DONE),
                     ("GET", "/assets/download"): answer(200, {"cdnUrl": "https://cdn/clean.mp4"})})
    p = provider("useapi", replay)
    status = p.get_task("48151623")
    assert status.state == TaskState.SUCCEEDED
    assert status.results[0].watermarked and status.results[0].duration == 6.0
    files = p.result_files(status)
    assert [(f.url, f.watermarked) for f in files] == [
        ("https://cdn/clean.mp4", False), ("https://s21-kling.klingai.com/wm/777.mp4", True)]
    download = replay.requests[-1]
    assert download.url.params["workIds"] == "777" and download.url.params["fileTypes"] == "MP4"
    assert download.url.params["email"] == "me@example.com"


def test_without_a_paid_plan_the_watermarked_file_is_the_only_result():
    replay = Replay({("GET", "/tasks/1"): answer(200, useapi.DONE),
                     ("GET", "/assets/download"): answer(400, {"error": "paid plan required"})})
    p = provider("useapi", replay)
    files = p.result_files(p.get_task("1"))
    assert [f.watermarked for f in files] == [True]


@pytest.mark.parametrize("name, state", [("submitted", TaskState.QUEUED),
                                          ("processing", TaskState.RUNNING)])
def test_unfinished_states_are_decided_by_name_not_number(name, state):
    data = {"task": {"id": 1}, "status": 99, "status_name": name, "status_final": False}
    replay = Replay({("GET", "/tasks/1"): answer(200, data)})
    assert provider("useapi", replay).get_task("1").state == state


def test_a_500_with_community_guidelines_is_moderation_and_final():
    error = {"error": "Your prompt may violate the community guidelines. (CM_EXT.POther)",
             "message": "Internal Server Error"}
    replay = Replay({("POST", "/videos/omni"): answer(500, error)})
    with pytest.raises(ProviderError) as caught:
        provider("useapi", replay).create_task(two_shot_kitchen(), {}, BodyOptions())
    assert caught.value.kind == Failure.MODERATION and not caught.value.retryable
    assert "CM_EXT.POther" in caught.value.message


def test_a_plain_500_is_a_provider_fault_worth_retrying():
    replay = Replay({("POST", "/videos/omni"): answer(500, {"error": "upstream timeout"})})
    with pytest.raises(ProviderError) as caught:
        provider("useapi", replay).create_task(two_shot_kitchen(), {}, BodyOptions())
    assert caught.value.kind == Failure.PROVIDER_FAULT and caught.value.retryable


def test_429_is_retried_later_with_the_retry_after():
    replay = Replay({("POST", "/videos/omni"): answer(429, {"error": "busy"},
                                                      {"Retry-After": "17"})})
    with pytest.raises(ProviderError) as caught:
        provider("useapi", replay).create_task(two_shot_kitchen(), {}, BodyOptions())
    assert caught.value.kind == Failure.RATE_LIMITED
    assert caught.value.retryable and caught.value.retry_after == 17


@pytest.mark.parametrize("status, kind, retryable", [
    (400, Failure.REJECTED, False), (401, Failure.AUTHENTICATION, False),
    (404, Failure.NOT_FOUND, False)])
def test_create_errors_map_to_kinds(status, kind, retryable):
    replay = Replay({("POST", "/videos/omni"): answer(status, {"error": "why"})})
    with pytest.raises(ProviderError) as caught:
        provider("useapi", replay).create_task(two_shot_kitchen(), {}, BodyOptions())
    assert (caught.value.kind, caught.value.retryable) == (kind, retryable)
    assert "why" in caught.value.message


def test_a_404_on_poll_is_a_final_failure_naming_the_three_causes():
    replay = Replay({("GET", "/tasks/9"): answer(404, {"error": "Not found"})})
    status = provider("useapi", replay).get_task("9")
    assert status.state == TaskState.FAILED and status.failure == Failure.NOT_FOUND
    assert "deleted" in status.reason and "moderation" in status.reason and "credits" in (
        status.reason)


def test_assets_are_uploaded_once_per_file_hash(tmp_path):
    image = tmp_path / "a.png"
    image.write_bytes(b"\x89PNG fake")
    replay = Replay({("POST", "/assets/"): answer(200, {"status": 3, "url": "https://k/a.png",
                                                        "fileName": "a.png"})})
    p = provider("useapi", replay)
    media = Media(image, "image/png", "abc123")
    assert p.reference("image_1", media) == "https://k/a.png"
    assert p.reference("image_2", media) == "https://k/a.png"
    assert len(replay.requests) == 1
    sent = replay.requests[0]
    assert sent.headers["content-type"] == "image/png" and sent.content == b"\x89PNG fake"
    p.forget_asset("abc123")
    p.reference("image_1", media)
    assert len(replay.requests) == 2


def test_an_image_element_is_created_with_a_short_name_and_extra_views(tmp_path):
    (tmp_path / "f.jpg").write_bytes(b"x")
    replay = Replay({("POST", "/assets/"): answer(200, {"status": 3, "url": "https://k/f.jpg"}),
                     ("POST", "/elements"): answer(200, {"elements": [
                         {"id": "u_123", "name": "Chef Marcel ABC12"}], "count": 1})})
    from storyboard.providers.base import ElementSpec
    media = Media(tmp_path / "f.jpg", "image/jpeg", "h1")
    created = provider("useapi", replay).create_element(ElementSpec(
        "Chef Marcel the Great", "Head chef", "character", frontal=media, extra=(media,)))
    assert created.element_id == "u_123"
    body = replay.bodies()[-1]
    assert body["name"] == "Chef Marcel the"  # 15 characters: useapi appends a suffix
    assert body["coverImage"] == "https://k/f.jpg" and body["extraImage1"] == "https://k/f.jpg"
    assert body["tag"] == "character"


def test_a_voice_goes_only_with_a_character_element(tmp_path):
    from storyboard.providers.base import ElementSpec

    (tmp_path / "f.jpg").write_bytes(b"x")
    media = Media(tmp_path / "f.jpg", "image/jpeg", "h1")
    routes = {("POST", "/assets/"): answer(200, useapi.ASSET),
              ("POST", "/elements"): answer(200, useapi.ELEMENT)}
    replay = Replay(routes)
    provider("useapi", replay).create_element(ElementSpec(
        "Chef", "", "character", frontal=media, voice_id="v-1"))
    body = replay.bodies()[-1]
    assert body["voice"] == "v-1" and "description" not in body  # useapi describes it itself
    replay = Replay(routes)
    created = provider("useapi", replay).create_element(ElementSpec(
        "Pan", "A pan", "prop", frontal=media, voice_id="v-1"))
    assert "voice" not in replay.bodies()[-1]
    assert any("character" in n for n in created.notes)
