"""docs/rules.md §16: which other targets would accept the storyboard, and why not."""

from rules.rules_factory import element, multi, single

from storyboard.rules.checks import CheckContext, check, check_and_strip, cross_target_strip
from storyboard.rules.model import Target


def verdicts(sb, **ctx):
    strip = cross_target_strip(sb, CheckContext(**ctx))
    return {(v.target.dialect, v.target.model): v for v in strip}


def test_the_strip_covers_every_other_target():
    strip = verdicts(single())
    assert len(strip) == 9 and ("useapi", "v3") not in strip


def test_a_12_second_multi_shot_storyboard_is_refused_by_o1_targets_and_cometapi_v3():
    strip = verdicts(multi(6, 6), vip=True)
    refused = {k for k, v in strip.items() if not v.ok}
    assert refused == {
        ("useapi", "o1"),
        ("kling", "o1"),
        ("cometapi", "o1"),
        ("apimart", "o1"),
        ("cometapi", "v3"),  # a text-only job: 5 or 10 s on CometAPI, both models
    }
    assert strip["kling", "o1"].reason.code == "multi_shot_unsupported"
    assert strip["cometapi", "v3"].reason.code == "total_seconds"


def test_the_reason_is_the_first_error_with_its_message():
    strip = verdicts(single("x" * 2000))
    assert strip["useapi", "o1"].reason.code == "prompt_too_long"
    assert strip["kling", "v3"].ok
    assert strip["useapi", "o1"].to_dict() == {
        "dialect": "useapi",
        "model": "o1",
        "ok": False,
        "code": "prompt_too_long",
        "message": strip["useapi", "o1"].reason.message,
    }


def test_the_strip_can_exclude_any_target():
    sb = single("@element_1", attachments={"element_1": element(1)})
    strip = cross_target_strip(sb, exclude=Target("kling", "v3"))
    assert Target("useapi", "v3") in [v.target for v in strip]
    assert Target("kling", "v3") not in [v.target for v in strip]


def test_check_and_strip_gives_the_same_answers_as_the_two_calls():
    sb = multi(6, 6, 6, prompts=["a @image_1", "b", "c"])
    report, strip = check_and_strip(sb, context=CheckContext(vip=False))
    assert report.to_dict() == check(sb, context=CheckContext(vip=False)).to_dict()
    assert strip == cross_target_strip(sb, CheckContext(vip=False))
