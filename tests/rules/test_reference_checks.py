"""docs/rules.md §6-12 and the dialect-specific reference checks."""

import pytest
from rules.rules_factory import element, errors, img, mentioning, multi, only, run, single
from rules.rules_factory import video as vid

from storyboard.rules.model import Attachment


def pool(n_images, n_elements=0, with_video=False):
    att = {f"image_{i}": img(i) for i in range(1, n_images + 1)}
    att |= {f"element_{i}": element(i) for i in range(1, n_elements + 1)}
    if with_video:
        att["video_1"] = vid()
    return att


def board(att, **kw):
    return single(mentioning(att), attachments=att, **kw)


def test_7_slots_fit_and_8_are_refused():
    report = run(board(pool(4, 3)))
    assert report.ok, report.problems
    assert report.to_dict()["slots"] == {"used": 7, "limit": 7}
    problem = only(run(board(pool(7, 1))), "slots_exceeded")
    assert problem.field == "slots" and "8" in problem.message


def test_with_a_reference_video_4_slots_fit_and_5_are_refused():
    report = run(board(pool(2, 2, with_video=True)))
    assert report.ok, report.problems
    assert report.to_dict()["slots"] == {"used": 4, "limit": 4}
    problem = only(run(board(pool(3, 2, with_video=True))), "slots_exceeded")
    assert "with a reference video is 4" in problem.message


def test_a_slot_that_does_not_exist_is_refused_by_name():
    sb = single("@image_1", attachments={"image_1": img(), "image_9": img(9)})
    problem = only(run(sb), "slot_unknown")
    assert problem.field == "image_9" and "image_1 to image_7" in problem.message


def test_a_mentioned_but_missing_image_is_an_error_on_the_shot_that_mentions_it():
    sb = multi(
        3,
        3,
        prompts=["A kitchen @image_1", "The chef @image_3 turns"],
        attachments={"image_1": img()},
    )
    problem = only(run(sb), "reference_missing")
    assert problem.field == "shots[1].prompt"
    assert problem.message == "@image_3 is mentioned in shot 2 but no image 3 is attached."


def test_a_missing_video_and_element_are_named_too():
    report = run(single("Like @video_1 with @element_2"))
    assert sorted(p.message for p in report.problems if p.code == "reference_missing") == [
        "@element_2 is mentioned in the prompt but no element 2 is attached.",
        "@video_1 is mentioned in the prompt but no video 1 is attached.",
    ]


def test_an_attachment_never_mentioned_is_a_warning():
    report = run(single("@image_1", attachments={"image_1": img(), "image_2": img(2)}))
    problem = only(report, "reference_unused")
    assert report.ok
    assert (problem.severity, problem.field) == ("warning", "image_2")
    assert problem.message == "image 2 is attached but not used."


def test_frames_need_no_mention():
    sb = single(
        "A sunrise",
        target=("kling", "v3"),
        attachments={"image_1": img(1, "first_frame"), "image_2": img(2, "end_frame")},
    )
    assert run(sb).problems == []


def test_an_end_frame_needs_a_first_frame():
    sb = single("A sunrise", target=("kling", "v3"), attachments={"image_2": img(2, "end_frame")})
    assert only(run(sb), "end_frame_without_first").field == "image_2"


def test_a_multi_shot_job_may_have_a_first_frame_but_no_end_frame():
    first = {"image_1": img(1, "first_frame")}
    assert run(multi(3, 3, target=("kling", "v3"), attachments=first)).ok
    both = first | {"image_2": img(2, "end_frame")}
    assert "end_frame_multi_shot" in errors(
        run(multi(3, 3, target=("kling", "v3"), attachments=both))
    )


def test_frames_cannot_be_combined_with_a_base_video_but_can_with_a_feature_video():
    att = {"image_1": img(1, "first_frame")}
    feature = run(
        single(
            "After @video_1", target=("kling", "v3"), attachments=att | {"video_1": vid("feature")}
        )
    )
    assert feature.ok, feature.problems
    base = run(
        single("Edit @video_1", target=("kling", "v3"), attachments=att | {"video_1": vid("base")})
    )
    assert only(base, "frames_with_base_video").field == "video_1"


def test_with_a_first_frame_3_elements_are_ok_and_4_refused():
    def sb(n):
        att = {"image_1": img(1, "first_frame")} | pool(0, n)
        return single(mentioning(pool(0, n)), target=("kling", "v3"), attachments=att)

    assert run(sb(3)).ok
    assert only(run(sb(4)), "elements_with_first_frame").field == "element_4"


def test_o1_refuses_start_and_end_frames_with_more_than_2_images():
    frames = {"image_1": img(1, "first_frame"), "image_2": img(2, "end_frame")}
    assert run(single("Dawn", target=("kling", "o1"), attachments=frames)).ok
    three = frames | {"image_3": img(3)}
    report = run(single("Dawn @image_3", target=("kling", "o1"), attachments=three))
    assert "o1_frames_many_images" in errors(report)
    v3 = run(single("Dawn @image_3", target=("kling", "v3"), attachments=three))
    assert v3.ok


def test_two_first_frames_and_an_unknown_role_are_refused():
    att = {"image_1": img(1, "first_frame"), "image_2": img(2, "first_frame")}
    assert "frame_duplicate" in errors(run(single("x", target=("kling", "v3"), attachments=att)))
    bad = {"image_1": img(1, "middle_frame")}
    assert only(run(single("@image_1", attachments=bad)), "role_invalid").field == "image_1"


def test_video_elements_only_on_v3_targets_that_allow_them():
    att = {"element_1": element(1, is_video_element=True)}
    assert run(single("@element_1", target=("kling", "v3"), attachments=att)).ok
    for target in (("kling", "o1"), ("apimart", "v3")):
        report = run(single("@element_1", target=target, attachments=att), public_media=True)
        assert only(report, "video_element_unsupported").field == "element_1"


def test_video_elements_never_with_a_reference_video():
    att = {"element_1": element(1, is_video_element=True), "video_1": vid()}
    report = run(single("@element_1 @video_1", target=("kling", "v3"), attachments=att))
    assert "video_element_with_video" in errors(report)


def test_audio_must_be_off_with_a_reference_video():
    att = {"video_1": vid()}
    assert run(single("@video_1", target=("kling", "v3"), attachments=att)).ok
    report = run(single("@video_1", audio=True, target=("kling", "v3"), attachments=att))
    assert only(report, "audio_with_video").field == "audio"


def test_a_base_video_skips_the_duration_and_aspect_checks_and_says_why():
    att = {"video_1": vid("base")}
    sb = single(
        "Recolour @video_1",
        duration=42,
        aspect_ratio="4:3",
        target=("kling", "v3"),
        attachments=att,
    )
    report = run(sb)
    assert report.ok, report.problems
    assert only(report, "base_video_fixes_duration").severity == "note"


def test_useapi_cannot_cite_a_frame_in_the_prompt():
    sb = single("Start on @image_1", attachments={"image_1": img(1, "first_frame")})
    assert "frame_token_unsupported" in errors(run(sb))
    assert run(sb, target=("kling", "v3")).ok


@pytest.mark.parametrize("public,severity", [(False, "error"), (None, "warning")])
def test_apimart_needs_public_urls_for_local_references(public, severity):
    sb = single(
        "@image_1",
        target=("apimart", "v3"),
        attachments={"image_1": Attachment("refs/kitchen.jpg")},
    )
    assert only(run(sb, public_media=public), "public_media_required").severity == severity
    assert run(sb, public_media=True).ok


def test_apimart_takes_public_urls_without_a_media_base_url():
    sb = single("@image_1", target=("apimart", "v3"), attachments={"image_1": img()})
    assert run(sb, public_media=False).ok


@pytest.mark.parametrize("model", ["o1", "v3"])
def test_apimart_refuses_elements_because_no_apimart_page_documents_them(model):
    report = run(board(pool(0, 2), target=("apimart", model)), public_media=True)
    problems = [p for p in report.problems if p.code == "elements_unsupported"]
    assert [p.field for p in problems] == ["element_1", "element_2"]
    assert "not offered on APIMart" in problems[0].message


def test_cometapi_sends_an_element_without_an_id_as_its_frontal_image_with_a_warning():
    att = {"element_1": element(1), "element_2": element(2)}
    sb = single("@element_1 @element_2", target=("cometapi", "v3"), attachments=att)
    report = run(sb, element_ids={"cometapi": frozenset({"element_1"})})
    assert report.ok
    assert only(report, "element_sent_as_image").field == "element_2"
    assert report.to_dict()["slots"]["used"] == 2


def test_cometapi_cannot_replace_a_video_element_without_an_id():
    att = {"element_1": element(1, is_video_element=True)}
    sb = single("@element_1", target=("cometapi", "v3"), attachments=att)
    assert "element_id_missing" in errors(run(sb, element_ids={"cometapi": frozenset()}))
