"""What the official API (and CometAPI, which passes its schema through) accepts for media and
elements: videos by URL only, base64 images up to 10 MB, integer element ids, a required
element description, a voice id on video elements only; and what our job id buys on a lost
create answer."""

import pytest
from recorded import Replay, answer, provider

from storyboard.providers.base import ElementSpec, Failure, Media, ProviderError
from storyboard.providers.cometapi import CometapiProvider
from storyboard.providers.kling import KlingProvider
from storyboard.providers.kling import recorded as kling
from storyboard.providers.prepare import ElementSource, prepare_refs
from storyboard.rules import Attachment, BodyOptions, Settings, Shot, Storyboard, Target

ELEMENTS = "/v1/general/advanced-custom-elements"


def _file(tmp_path, name: str, size: int = 16) -> str:
    path = tmp_path / name
    path.write_bytes(b"\0" * size)
    return path


@pytest.mark.parametrize("dialect", ["kling", "cometapi"])
def test_a_reference_video_without_a_public_url_is_refused_not_inlined(dialect, tmp_path):
    video = Media(_file(tmp_path, "v.mp4"), "video/mp4", "h")
    with pytest.raises(ProviderError) as caught:
        provider(dialect, Replay({})).reference("video_1", video)
    assert caught.value.kind == Failure.REJECTED and not caught.value.retryable
    assert "video_1" in caught.value.message and "by URL only" in caught.value.message
    assert "STORYBOARD_PUBLIC_BASE_URL" in caught.value.message
    public = Media(video.path, "video/mp4", "h", "https://pub/v.mp4")
    assert provider(dialect, Replay({})).reference("video_1", public) == "https://pub/v.mp4"


def test_an_image_over_ten_megabytes_is_never_inlined(tmp_path):
    big = Media(_file(tmp_path, "big.png", 10 * 1024 * 1024 + 1), "image/png", "h")
    with pytest.raises(ProviderError) as caught:
        provider("kling", Replay({})).reference("image_2", big)
    assert caught.value.kind == Failure.REJECTED
    assert "image_2" in caught.value.message and "10 MB" in caught.value.message
    by_url = Media(big.path, "image/png", "h", "https://pub/big.png")
    assert provider("kling", Replay({})).reference("image_2", by_url) == "https://pub/big.png"


def test_a_video_element_needs_a_public_url_too(tmp_path):
    spec = ElementSpec("Dancer", "A dancer", "character",
                       video=Media(_file(tmp_path, "d.mp4"), "video/mp4", "h"))
    replay = Replay({("POST", ELEMENTS): answer(200, kling.ELEMENT_CREATE)})
    with pytest.raises(ProviderError, match="by URL only"):
        provider("kling", replay).create_element(spec)
    assert not replay.requests  # nothing was sent


def _element_replay():
    return Replay({("POST", ELEMENTS): answer(200, kling.ELEMENT_CREATE),
                   ("GET", f"{ELEMENTS}/870000001"): answer(200, kling.ELEMENT_DONE)})


def test_an_empty_description_is_filled_from_the_name_and_the_job_is_told(tmp_path):
    frontal = Media(_file(tmp_path, "f.jpg"), "image/jpeg", "h", "https://pub/f.jpg")
    replay = _element_replay()
    board = Storyboard(settings=Settings(), target=Target("kling", "v3"),
                       shots=(Shot("The chef @element_1 cooks", 5),),
                       attachments={"element_1": Attachment("ev:1")})
    source = ElementSource("ev:1", ElementSpec("Chef", "", "character", frontal=frontal))
    ids: dict[str, str] = {}
    prepared = prepare_refs(provider("kling", replay), board, media=lambda slot: None,
                            elements=lambda slot: source, element_ids=ids)
    sent = replay.bodies()[0]
    assert sent["element_description"] == "Chef"
    assert any("element_1" in n and "description" in n for n in prepared.notes)
    assert ids == {"ev:1": "307212335131305"}  # the integer answer, kept as a string


def test_a_voice_id_is_bound_to_a_video_element(tmp_path):
    video = Media(_file(tmp_path, "d.mp4"), "video/mp4", "h", "https://pub/d.mp4")
    replay = _element_replay()
    created = provider("kling", replay).create_element(ElementSpec(
        "Dancer", "A dancer", "character", video=video, voice_id="voice-7"))
    body = replay.bodies()[0]
    assert body["element_voice_id"] == "voice-7" and body["reference_type"] == "video_refer"
    assert body["element_video_list"] == {"refer_videos": [{"video_url": "https://pub/d.mp4"}]}
    assert created.element_id == "307212335131305" and created.notes == ()


def test_a_voice_on_an_image_element_is_left_out_and_said(tmp_path):
    frontal = Media(_file(tmp_path, "f.jpg"), "image/jpeg", "h", "https://pub/f.jpg")
    replay = _element_replay()
    created = provider("kling", replay).create_element(ElementSpec(
        "Chef", "Head chef", "character", frontal=frontal, voice_id="voice-7"))
    assert "element_voice_id" not in replay.bodies()[0]
    assert any("voice" in n and "left out" in n for n in created.notes)


def _board_with_element(dialect: str) -> Storyboard:
    return Storyboard(settings=Settings(), target=Target(dialect, "v3"),
                      shots=(Shot("The chef @element_1 cooks", 5),),
                      attachments={"element_1": Attachment("307212335131305")})


@pytest.mark.parametrize("dialect", ["kling", "cometapi"])
def test_element_ids_go_as_integers(dialect):
    p = provider(dialect, Replay({}))
    body = p.body(_board_with_element(dialect), {"element_1": "307212335131305"},
                  BodyOptions())
    assert body["element_list"] == [{"element_id": 307212335131305}]


def test_a_duplicate_job_id_answer_finds_the_task_the_first_create_made():
    replay = Replay({("POST", "/v1/videos/omni-video"): answer(400, kling.DUPLICATE_EXTERNAL_ID),
                     ("GET", "/v1/videos/omni-video/job-42"): answer(200, kling.DONE)})
    board = Storyboard(settings=Settings(), target=Target("kling", "v3"),
                       shots=(Shot("A chef cooks", 5),))
    handle = provider("kling", replay).create_task(board, {},
                                                   BodyOptions(external_task_id="job-42"))
    assert (handle.task_id, handle.external_task_id) == ("860000001", "job-42")
    assert [r.method for r in replay.requests] == ["POST", "GET"]  # never a second create


def test_only_the_official_api_vouches_for_resending_a_lost_create():
    assert KlingProvider.idempotent_create is True
    assert CometapiProvider.idempotent_create is False
