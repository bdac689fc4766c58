"""Create bodies per dialect, including the two worked examples the vendors document (golden)."""

import json

import pytest
from rules.rules_factory import element, img, multi, single, video

from storyboard.rules.bodies import (
    BodyError,
    BodyOptions,
    ElementAsImage,
    build_body,
)
from storyboard.rules.model import Attachment, Target

KITCHEN = "https://s21-kling.klingai.com/.../kitchen.jpg"
SHOT_1 = (
    "Cinematic medium shot, a chef standing behind a stainless steel stove @image_1, "
    "focused intently on the pan"
)
SHOT_2 = (
    "Continuous scene at the same stove @image_1. The chef flips the food high into the "
    "air, then turns sharply to the camera"
)


def normalised(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def kitchen(target=("useapi", "v3")):
    return multi(
        "3",
        "3",
        prompts=[SHOT_1, SHOT_2],
        mode="pro",
        target=target,
        attachments={"image_1": Attachment(KITCHEN)},
    )


def test_the_useapi_kitchen_example_comes_out_exactly():
    expected = """{"omni_version": "v3", "mode": "pro", "aspect_ratio": "16:9",
 "image_1": "https://s21-kling.klingai.com/.../kitchen.jpg",
 "shot_1_prompt": "Cinematic medium shot, a chef standing behind a stainless steel stove @image_1, focused intently on the pan",
 "shot_1_duration": "3",
 "shot_2_prompt": "Continuous scene at the same stove @image_1. The chef flips the food high into the air, then turns sharply to the camera",
 "shot_2_duration": "3"}"""  # noqa: E501 - copied verbatim from the vendor's documented example
    assert normalised(build_body(kitchen())) == normalised(json.loads(expected))


def test_the_official_kitchen_example_comes_out_exactly():
    expected = """{"model_name": "kling-v3-omni", "multi_shot": true, "shot_type": "customize", "mode": "pro",
 "aspect_ratio": "16:9", "duration": "6",
 "multi_prompt": [{"index": 1, "prompt": "Cinematic medium shot, a chef standing behind a stainless steel stove <<<image_1>>>, focused intently on the pan", "duration": "3"},
                  {"index": 2, "prompt": "Continuous scene at the same stove <<<image_1>>>. The chef flips the food high into the air, then turns sharply to the camera", "duration": "3"}],
 "image_list": [{"image_url": "https://…/kitchen.jpg"}],
 "external_task_id": "<job uuid>"}"""  # noqa: E501 - copied verbatim from the vendor's documented example
    job = "0b7e5a3c-9d7f-4f0e-8a51-2c7d3f1e6b90"
    body = build_body(
        kitchen(),
        Target("kling", "v3"),
        refs={"image_1": "https://…/kitchen.jpg"},
        options=BodyOptions(external_task_id=job),
    )
    assert normalised(body) == normalised(json.loads(expected.replace("<job uuid>", job)))


def test_cometapi_sends_the_official_body():
    assert build_body(kitchen(), Target("cometapi", "v3")) == build_body(
        kitchen(), Target("kling", "v3")
    )


def test_useapi_single_shot_sends_prompt_and_string_duration_and_no_audio():
    body = build_body(single("A chef", duration=7, audio=True, count=2))
    assert body == {
        "omni_version": "v3",
        "mode": "std",
        "aspect_ratio": "16:9",
        "prompt": "A chef",
        "duration": "7",
        "count": 2,
    }


def test_useapi_forces_auto_aspect_with_a_video_and_sends_frames_and_options():
    sb = single(
        "After @video_1 with @element_2",
        attachments={"video_1": video(), "element_2": element(2), "image_1": img(1, "first_frame")},
    )
    body = build_body(sb, options=BodyOptions(email="me@example.com", reply_url="https://h/cb"))
    assert body["aspect_ratio"] == "auto"
    assert body["prompt"] == "After @video_1 with @element_1"
    assert body["element_1"] == "u_el2" and body["video_1"].endswith("ref.mp4")
    assert body["frame_start"].endswith("img1.jpg") and "image_1" not in body
    assert body["email"] == "me@example.com" and body["replyUrl"] == "https://h/cb"


def test_kling_single_shot_with_frames_elements_video_and_sound():
    sb = single(
        "@image_3 and @element_1 like @video_1",
        target=("kling", "v3"),
        audio=True,
        attachments={
            "image_1": img(1, "first_frame"),
            "image_3": img(3),
            "element_1": element(1),
            "video_1": video(),
        },
    )
    body = build_body(
        sb,
        refs={"element_1": "829836802793406551"},
        options=BodyOptions(callback_url="https://h/cb", watermark=False),
    )
    assert body["multi_shot"] is False and "shot_type" not in body
    assert body["prompt"] == "<<<image_2>>> and <<<element_1>>> like <<<video_1>>>"
    assert body["duration"] == "5"
    assert body["image_list"] == [
        {"image_url": img(1).ref, "type": "first_frame"},
        {"image_url": img(3).ref},
    ]
    assert body["element_list"] == [{"element_id": 829836802793406551}]
    assert body["video_list"] == [
        {"video_url": video().ref, "refer_type": "feature", "keep_original_sound": "no"}
    ]
    assert body["sound"] == "on"
    assert body["callback_url"] == "https://h/cb"
    assert body["watermark_info"] == {"enabled": False}


def test_kling_omits_duration_for_a_single_shot_base_video_edit():
    sb = single("Recolour @video_1", target=("kling", "v3"), attachments={"video_1": video("base")})
    assert "duration" not in build_body(sb)


def test_cometapi_sends_an_element_without_an_id_as_an_image():
    sb = single(
        "@element_1 and @image_1",
        target=("cometapi", "v3"),
        attachments={"image_1": img(1), "element_1": element(1)},
    )
    body = build_body(sb, refs={"element_1": ElementAsImage("https://x/front.jpg")})
    assert body["image_list"] == [{"image_url": img(1).ref}, {"image_url": "https://x/front.jpg"}]
    assert "element_list" not in body
    assert body["prompt"] == "<<<image_2>>> and <<<image_1>>>"


def test_apimart_multi_shot_uses_integers_and_a_required_prompt():
    body = build_body(kitchen(("apimart", "v3")))
    assert body["duration"] == 6
    assert [s["duration"] for s in body["multi_prompt"]] == [3, 3]
    assert body["multi_shot"] is True and body["shot_type"] == "customize"
    assert body["prompt"] == "\n".join(s["prompt"] for s in body["multi_prompt"])
    assert body["image_urls"] == [KITCHEN]
    assert body["audio"] is False


def test_apimart_sends_the_main_prompt_when_there_is_one():
    sb = multi(3, 3, prompt="A kitchen at dawn", target=("apimart", "v3"))
    assert build_body(sb)["prompt"] == "A kitchen at dawn"


def test_apimart_image_roles_replace_image_urls():
    sb = single(
        "@image_2",
        target=("apimart", "v3"),
        attachments={
            "image_1": img(1, "first_frame"),
            "image_2": img(2),
            "image_3": img(3, "end_frame"),
        },
    )
    body = build_body(sb)
    assert "image_urls" not in body
    assert [i["role"] for i in body["image_with_roles"]] == [
        "first_frame",
        "reference",
        "last_frame",
    ]
    assert body["prompt"] == "<<<image_2>>>"


@pytest.mark.parametrize("dialect", ["kling", "cometapi"])
def test_kling_and_cometapi_send_element_ids_as_integers(dialect):
    sb = single("@element_1", target=(dialect, "v3"), attachments={"element_1": Attachment("42")})
    assert build_body(sb)["element_list"] == [{"element_id": 42}]
    raw = single("@element_1", target=(dialect, "v3"), attachments={"element_1": Attachment("u_1")})
    with pytest.raises(BodyError, match="not a whole number"):
        build_body(raw)


def test_apimart_o1_uses_its_documented_model_name_and_sends_no_webhook():
    sb = single("A cook at dawn", target=("apimart", "o1"))
    body = build_body(sb, options=BodyOptions(webhook="https://h/hook", watermark=True))
    assert body["model"] == "kling-video-o1" and body["duration"] == 5
    assert "webhook" not in body and "audio" not in body
    assert body["watermark"] is True


def test_apimart_sends_no_elements_field():
    sb = single("@element_1 cooks", target=("apimart", "v3"), attachments={"element_1": element(1)})
    with pytest.raises(BodyError, match="not offered on APIMart"):
        build_body(sb)


def test_apimart_video_list_uses_the_documented_keys():
    sb = single("Like @video_1", target=("apimart", "v3"), attachments={"video_1": video("base")})
    assert build_body(sb)["video_list"] == [
        {"video_url": video().ref, "refer_type": "base", "keep_original_sound": "no"}
    ]


def test_useapi_sends_a_feature_video_as_video_1_and_never_a_base_one():
    sb = single("Like @video_1", target=("useapi", "v3"), attachments={"video_1": video()})
    body = build_body(sb)
    assert body["video_1"] == video().ref and "refer_type" not in json.dumps(body)
    assert body["duration"] == "5"
    edit = single("Edit @video_1", target=("useapi", "v3"), attachments={"video_1": video("base")})
    with pytest.raises(BodyError, match="feature reference"):
        build_body(edit)


def test_the_animatic_plan_has_shot_starts_and_the_first_visual():
    prompts = ["Title", "The chef @element_1 and @image_1"]
    sb = multi(
        2,
        3,
        prompts=prompts,
        target=("animatic", "v3"),
        attachments={"image_1": img(1), "element_1": element(1)},
    )
    plan = build_body(sb)
    assert plan["total_seconds"] == 5
    assert [(s["start"], s["duration"], s["visual"]) for s in plan["shots"]] == [
        (0, 2, None),
        (2, 3, "element_1"),
    ]


@pytest.mark.parametrize("dialect", ["useapi", "kling", "cometapi", "apimart", "animatic"])
def test_every_body_is_plain_json(dialect):
    json.dumps(build_body(kitchen((dialect, "v3"))))
