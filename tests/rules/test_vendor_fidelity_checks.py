"""What the real vendors accept (issue 12): URL-only videos, integer element ids, CometAPI
durations, element voices, useapi's reference-only video_1."""

import pytest
from rules.rules_factory import codes, element, errors, multi, only, run, single
from rules.rules_factory import video as vid

from storyboard.rules.model import Attachment

LOCAL_VIDEO = Attachment("refs/dance.mp4")
LOCAL_VIDEO_ELEMENT = {"element_1": element(1, is_video_element=True, frontal_image=None,
                                            extra_images=())}


@pytest.mark.parametrize("dialect", ["kling", "cometapi"])
def test_a_local_reference_video_is_an_error_when_the_vendor_cannot_fetch_it(dialect):
    sb = single("Dance like @video_1", target=(dialect, "v3"), attachments={"video_1": LOCAL_VIDEO})
    problem = only(run(sb, public_media=False), "public_media_required")
    assert (problem.severity, problem.field) == ("error", "video_1")
    assert "STORYBOARD_PUBLIC_BASE_URL" in problem.message and "another target" in problem.message
    assert only(run(sb), "public_media_required").severity == "warning"  # unknown: the CLI
    assert run(sb, public_media=True).ok


@pytest.mark.parametrize("dialect", ["kling", "cometapi"])
def test_a_video_element_is_an_error_on_its_slot_without_public_media(dialect):
    sb = single("@element_1 dances", target=(dialect, "v3"), attachments=LOCAL_VIDEO_ELEMENT)
    problem = only(run(sb, public_media=False), "public_media_required")
    assert (problem.severity, problem.field) == ("error", "element_1")


def test_images_and_public_video_urls_need_no_public_media_on_kling():
    sb = single("Like @video_1 and @image_1", target=("kling", "v3"),
                attachments={"video_1": vid(), "image_1": Attachment("refs/a.jpg")})
    assert "public_media_required" not in codes(run(sb, public_media=False))


def test_useapi_uploads_videos_so_a_local_one_is_fine():
    sb = single("Like @video_1", target=("useapi", "v3"), attachments={"video_1": LOCAL_VIDEO})
    assert "public_media_required" not in codes(run(sb, public_media=False))


@pytest.mark.parametrize("dialect", ["kling", "cometapi"])
def test_a_raw_element_id_that_is_not_a_number_is_an_error_on_its_slot(dialect):
    raw = {"element_1": Attachment("u_abc")}
    sb = single("@element_1", target=(dialect, "v3"), attachments=raw)
    problem = only(run(sb), "element_id_not_integer")
    assert (problem.severity, problem.field) == ("error", "element_1")
    assert '"u_abc"' in problem.message and "whole numbers" in problem.message
    ok = single("@element_1", target=(dialect, "v3"), attachments={"element_1": Attachment("829")})
    assert "element_id_not_integer" not in codes(run(ok))


def test_useapi_takes_string_element_ids():
    sb = single("@element_1", attachments={"element_1": Attachment("u_abc")})
    assert run(sb).ok


@pytest.mark.parametrize("model", ["o1", "v3"])
def test_cometapi_text_only_and_first_frame_jobs_take_5_or_10_seconds(model):
    sb = single("A kitchen", duration=7, target=("cometapi", model))
    problem = only(run(sb), "total_seconds")
    assert "5 or 10 s for a text-only or first-frame job" in problem.message
    assert run(sb).seconds_choices == (5, 10)
    assert run(single("A kitchen", duration=10, target=("cometapi", model))).ok
    assert run(sb, target=("kling", "v3")).ok  # the rule is CometAPI's (and kling o1's)


def test_cometapi_v3_multi_shot_text_only_totals_are_5_or_10_too():
    assert "total_seconds" in errors(run(multi(3, 3, target=("cometapi", "v3"))))
    assert run(multi(3, 2, target=("cometapi", "v3"))).ok


def voiced(tag, voice="id", **facts):
    return {"element_1": element(1, is_video_element=True, tag=tag, voice=voice, **facts)}


def test_useapi_refuses_a_voice_on_an_element_that_is_not_a_character():
    sb = single("@element_1 talks", attachments=voiced("prop"))
    problem = only(run(sb), "voice_needs_character_tag")
    assert (problem.severity, problem.field) == ("error", "element_1")
    assert "its tag is prop" in problem.message and "character" in problem.message
    assert run(single("@element_1 talks", attachments=voiced("character"))).ok


def test_kling_warns_that_a_voice_clip_is_dropped_but_sends_a_voice_id():
    clip = single("@element_1 talks", target=("kling", "v3"), attachments=voiced("prop", "clip"))
    problem = only(run(clip, public_media=True), "element_voice_dropped")
    assert (problem.severity, problem.field) == ("warning", "element_1")
    with_id = single("@element_1 talks", target=("kling", "v3"), attachments=voiced("prop"))
    assert "element_voice_dropped" not in codes(run(with_id, public_media=True))


def test_the_kling_voice_rule_follows_the_capability_value(monkeypatch):
    from dataclasses import replace

    from storyboard.rules import capabilities

    sb = single("@element_1 talks", target=("kling", "v3"), attachments=voiced("prop"))
    row = replace(capabilities.CAPABILITIES["kling", "v3"], element_voices=())
    monkeypatch.setitem(capabilities.CAPABILITIES, ("kling", "v3"), row)
    assert only(run(sb, public_media=True), "element_voice_dropped").severity == "warning"


def test_useapi_refuses_a_base_video_and_takes_a_feature_one():
    edit = single("Edit @video_1", attachments={"video_1": vid("base")})
    problem = only(run(edit), "base_video_unsupported")
    assert (problem.severity, problem.field) == ("error", "video_1")
    assert "feature" in problem.message
    assert "base_video_fixes_duration" not in codes(run(edit))
    assert run(single("Like @video_1", attachments={"video_1": vid()})).ok
    assert "base_video_unsupported" not in codes(run(edit, target=("kling", "v3")))
