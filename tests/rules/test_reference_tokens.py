"""Finding, normalising and rendering @image_N / @element_N / @video_1 tokens."""

import pytest
from rules.rules_factory import element, img, single, video

from storyboard.rules.tokens import (
    attached_but_unused,
    find_tokens,
    mentioned_but_missing,
    normalise_tokens,
    plan_layout,
    render_tokens,
)


def test_tokens_are_found_in_order_with_repeats():
    assert find_tokens("@image_1 meets @element_2 in @video_1, then @image_1") == [
        "image_1",
        "element_2",
        "video_1",
        "image_1",
    ]


def test_image_10_is_image_10_and_never_image_1():
    assert find_tokens("see @image_10") == ["image_10"]


@pytest.mark.parametrize(
    "text",
    [
        "mail chef@image_1 now",
        "a@image_1x",
        "@image_1x",
        "@@image_1",
        "@image_1_2",
        "é@image_1",
        "@images_1",
        "@image_",
    ],
)
def test_words_that_merely_contain_a_token_are_not_tokens(text):
    assert find_tokens(text) == []


@pytest.mark.parametrize(
    "text", ["(@image_1)", "@image_1.", "@image_1's", "«@image_1»", "@image_1,"]
)
def test_tokens_next_to_punctuation_are_found(text):
    assert find_tokens(text) == ["image_1"]


def test_pasted_kling_tokens_are_normalised_to_the_neutral_form():
    assert normalise_tokens("a stove <<<image_1>>>, and <<<element_2>>>") == (
        "a stove @image_1, and @element_2"
    )
    assert normalise_tokens("<<< video_1 >>>") == "@video_1"


def test_a_pasted_token_glued_to_a_word_still_becomes_a_token():
    text = normalise_tokens("stove<<<image_1>>>s")
    assert find_tokens(text) == ["image_1"]
    assert text == "stove @image_1 s"


def test_missing_and_unused_references_are_listed():
    prompts = ["@image_1 and @image_3", "<<<element_1>>>"]
    assert mentioned_but_missing(prompts, ["image_1", "image_2"]) == ["image_3", "element_1"]
    assert attached_but_unused(prompts, ["image_1", "image_2", "element_1"]) == ["image_2"]


def test_kling_renumbers_images_by_their_position_in_image_list():
    sb = single("@image_3 then @image_1", attachments={"image_1": img(1), "image_3": img(3)})
    tokens = plan_layout(sb, "kling").tokens
    assert render_tokens(sb.settings.prompt, tokens) == "<<<image_2>>> then <<<image_1>>>"


def test_useapi_renumbers_too_so_its_image_fields_have_no_gaps():
    sb = single("@image_3", attachments={"image_3": img(3), "element_5": element(5)})
    tokens = plan_layout(sb, "useapi").tokens
    assert tokens == {"image_3": "@image_1", "element_5": "@element_1"}


def test_kling_counts_frames_in_image_list_but_useapi_does_not():
    att = {"image_1": img(1, "first_frame"), "image_2": img(2)}
    sb = single("@image_2", attachments=att)
    assert plan_layout(sb, "kling").tokens["image_2"] == "<<<image_2>>>"
    assert plan_layout(sb, "useapi").tokens["image_2"] == "@image_1"


def test_cometapi_elements_sent_as_images_are_numbered_after_the_images():
    att = {"image_1": img(1), "element_1": element(1), "element_2": element(2)}
    lay = plan_layout(single(attachments=att), "cometapi", elements_as_images=["element_1"])
    assert lay.tokens == {
        "image_1": "<<<image_1>>>",
        "element_1": "<<<image_2>>>",
        "element_2": "<<<element_1>>>",
    }


def test_video_renders_per_dialect():
    sb = single("@video_1", attachments={"video_1": video()})
    assert plan_layout(sb, "useapi").tokens["video_1"] == "@video_1"
    assert plan_layout(sb, "kling").tokens["video_1"] == "<<<video_1>>>"
    assert plan_layout(sb, "animatic").tokens["video_1"] == "@video_1"


def test_tokens_that_are_not_attached_stay_as_typed():
    assert render_tokens("@image_5 x", {"image_1": "<<<image_1>>>"}) == "@image_5 x"
