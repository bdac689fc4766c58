"""docs/rules.md §4: prompt lengths, counted as sent (tokens rendered the dialect's way)."""

import pytest
from rules.rules_factory import errors, img, multi, only, run, single


@pytest.mark.parametrize(
    "target,limit",
    [
        (("useapi", "v3"), 1700),
        (("useapi", "o1"), 1700),
        (("kling", "v3"), 2500),
        (("apimart", "v3"), 2500),
    ],
)
def test_the_main_prompt_at_the_limit_is_ok_and_one_more_character_is_refused(target, limit):
    assert "prompt_too_long" not in errors(run(single("x" * limit, target=target)))
    problem = only(run(single("x" * (limit + 1), target=target)), "prompt_too_long")
    assert problem.field == "prompt"
    assert str(limit + 1) in problem.message and str(limit) in problem.message


def test_a_shot_prompt_of_512_is_ok_and_513_refused_on_that_shot():
    assert "prompt_too_long" not in errors(run(multi(3, 3, prompts=["a", "y" * 512])))
    problem = only(run(multi(3, 3, prompts=["a", "y" * 513])), "prompt_too_long")
    assert problem.field == "shots[1].prompt"
    assert "Shot 2" in problem.message and "513" in problem.message and "512" in problem.message


def test_length_is_counted_after_rendering_tokens_for_kling():
    # "@image_1" is 8 characters typed but "<<<image_1>>>" (13) is what kling counts
    prompt = "x" * 2490 + " @image_1"  # 2499 typed, 2504 as sent
    sb = single(prompt, target=("kling", "v3"), attachments={"image_1": img()})
    assert "prompt_too_long" in errors(run(sb))
    assert "prompt_too_long" not in errors(run(sb, target=("animatic", "v3")))


def test_an_emoji_prompt_is_counted_in_characters_not_bytes():
    assert "prompt_too_long" not in errors(run(single("🎬" * 1700)))
    assert "prompt_too_long" in errors(run(single("🎬" * 1701)))


def test_a_100000_character_prompt_is_reported_not_crashed_on():
    problem = only(run(single("z" * 100_000)), "prompt_too_long")
    assert "100000" in problem.message


def test_apimart_multi_shot_without_a_main_prompt_counts_the_joined_shot_prompts():
    prompts = ["p" * 500] * 6  # 6 x 500 + 5 joiners > 2500
    report = run(multi(2, 2, 2, 2, 2, 2, prompts=prompts, target=("apimart", "v3")))
    assert only(report, "prompt_too_long").field == "prompt"
    short = run(multi(2, 2, prompts=["p" * 500] * 2, target=("apimart", "v3")), public_media=True)
    assert short.ok, short.problems


def test_a_main_prompt_in_multi_shot_is_a_warning_where_it_is_not_sent():
    sb = multi(3, 3, prompt="Overall mood: warm")
    assert only(run(sb), "prompt_ignored").severity == "warning"
    assert "prompt_ignored" not in [p.code for p in run(sb, target=("apimart", "v3")).problems]
