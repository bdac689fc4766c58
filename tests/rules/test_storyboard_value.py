"""The storyboard value type converts to and from plain dicts."""

import json

from rules.rules_factory import element, img, multi, single, video

from storyboard.rules.model import Storyboard, parse_whole_seconds


def test_a_storyboard_survives_a_round_trip_through_a_json_dict():
    sb = multi(
        "3",
        "abc",
        prompts=["a @image_1", "b"],
        mode="pro",
        audio=True,
        target=("kling", "v3"),
        title="Kitchen",
        negative_prompt="n",
        attachments={
            "image_1": img(1, "first_frame"),
            "element_2": element(2),
            "video_1": video("base"),
        },
    )
    data = json.loads(json.dumps(sb.to_dict()))
    assert Storyboard.from_dict(data) == sb


def test_a_dict_with_missing_keys_takes_the_defaults():
    sb = Storyboard.from_dict({"prompt": "x"})
    assert sb == single("x", target=("animatic", "v3"))


def test_raw_durations_are_kept_as_typed():
    assert single(duration="abc").settings.duration == "abc"


def test_whole_seconds_parsing_refuses_what_is_not_a_whole_number():
    assert [parse_whole_seconds(x) for x in (5, "5", 5.0, " 7 ")] == [5, 5, 5, 7]
    assert [
        parse_whole_seconds(x) for x in ("3.5", True, None, "abc", "1" * 20, float("inf"), "５")
    ] == [None] * 7
