"""docs/rules.md §1-3: shot count, shot prompts and durations, total seconds."""

import pytest
from rules.rules_factory import errors, multi, only, run, single

from storyboard.rules.model import Shot


@pytest.mark.parametrize("n", [2, 6])
def test_a_multi_shot_storyboard_of_2_or_6_shots_is_accepted(n):
    assert "shot_count" not in errors(run(multi(*[2] * n)))


@pytest.mark.parametrize("n", [1, 7])
def test_a_multi_shot_storyboard_of_1_or_7_shots_is_refused(n):
    problem = only(run(multi(*[2] * n)), "shot_count")
    assert problem.field == "shots"
    assert f"has {n}" in problem.message and "2–6" in problem.message


def test_multi_shot_on_an_o1_target_is_refused_naming_the_targets_that_take_it():
    problem = only(run(multi(3, 3), target=("kling", "o1")), "multi_shot_unsupported")
    assert problem.severity == "error"
    assert "kling v3" in problem.message and "useapi v3" in problem.message
    assert "kling o1," not in problem.message


def test_a_single_shot_storyboard_carrying_shots_is_refused():
    sb = single()
    sb = type(sb)(sb.settings, sb.target, (Shot("x", 3),), {})
    assert only(run(sb), "single_shot_shape").field == "shots"


def test_an_empty_shot_prompt_is_an_error_on_that_shot():
    report = run(multi(3, 3, prompts=["A chef", "   "]))
    problem = only(report, "prompt_missing")
    assert problem.field == "shots[1].prompt"
    assert "Shot 2" in problem.message


def test_an_empty_single_prompt_is_an_error_on_the_prompt():
    assert only(run(single(prompt="")), "prompt_missing").field == "prompt"


@pytest.mark.parametrize("raw", ["abc", "3.5", None, 3.5, [], {}, True, "", "1e3"])
def test_a_duration_that_is_not_a_whole_number_is_reported_on_its_field(raw):
    report = run(multi(3, raw, 3))
    problem = only(report, "duration_invalid")
    assert problem.field == "shots[1].duration"
    assert "Shot 2" in problem.message
    assert report.total_seconds is None


@pytest.mark.parametrize("raw", ["4", 4, 4.0, " 4 "])
def test_whole_durations_are_accepted_as_numbers_or_digit_strings(raw):
    report = run(multi(3, raw))
    assert report.ok, report.problems
    assert report.total_seconds == 7


def test_a_shot_of_1_s_is_accepted_and_0_or_minus_2_refused():
    assert "duration_too_short" not in errors(run(multi(1, 4)))
    for bad in (0, -2, "-2"):
        problem = only(run(multi(bad, 5)), "duration_too_short")
        assert problem.field == "shots[0].duration"


def test_a_single_duration_of_abc_is_reported_on_duration():
    problem = only(run(single(duration="abc")), "duration_invalid")
    assert problem.field == "duration"
    assert '"abc"' in problem.message


@pytest.mark.parametrize(
    "target,ok,bad",
    [
        (("useapi", "v3"), 15, 16),
        (("kling", "v3"), 15, 16),
        (("apimart", "v3"), 15, 16),
        (("useapi", "o1"), 10, 11),
        (("animatic", "v3"), 15, 16),
    ],
)
def test_total_seconds_at_the_top_of_the_range_is_ok_and_one_more_is_refused(target, ok, bad):
    assert "total_seconds" not in errors(run(single(duration=ok, target=target), vip=True))
    problem = only(run(single(duration=bad, target=target), vip=True), "total_seconds")
    assert problem.field == "duration"
    assert f"{bad} s" in problem.message


def test_total_seconds_of_3_is_ok_and_2_refused():
    assert run(multi(1, 2), vip=True).ok
    problem = only(run(multi(1, 1)), "total_seconds")
    assert problem.message == "Shots add up to 2 s; useapi v3 takes 3–15 s."


def test_the_rules_md_example_message_for_16_seconds_on_useapi_v3():
    problem = only(run(multi(8, 8), vip=True), "total_seconds")
    assert problem.field == "shots"
    assert problem.message == "Shots add up to 16 s; useapi v3 takes 3–15 s."


@pytest.mark.parametrize("secs,accepted", [(5, True), (10, True), (7, False), (3, False)])
def test_kling_o1_text_only_takes_5_or_10_seconds(secs, accepted):
    report = run(single(duration=secs, target=("kling", "o1")))
    assert ("total_seconds" not in errors(report)) is accepted
    if not accepted:
        assert "5 or 10 s" in only(report, "total_seconds").message


def test_kling_o1_with_a_first_frame_only_takes_5_or_10_seconds():
    from rules.rules_factory import img

    sb = single(duration=7, target=("kling", "o1"), attachments={"image_1": img(1, "first_frame")})
    assert "total_seconds" in errors(run(sb))


def test_kling_o1_with_a_reference_image_takes_3_to_10_seconds():
    from rules.rules_factory import img

    sb = single(
        prompt="A chef @image_1",
        duration=7,
        target=("kling", "o1"),
        attachments={"image_1": img(1)},
    )
    report = run(sb)
    assert report.ok, report.problems
    assert report.total_text() == "7 s of 3–10 s"


@pytest.mark.parametrize("secs,accepted", [(5, True), (10, True), (6, False), (3, False)])
def test_apimart_o1_takes_5_or_10_seconds(secs, accepted):
    report = run(single(duration=secs, target=("apimart", "o1")))
    assert ("total_seconds" not in errors(report)) is accepted
    assert report.seconds_range == (5, 10)


def test_the_live_total_reads_11_s_of_3_to_15_s():
    assert run(multi(5, 6)).total_text() == "11 s of 3–15 s"


def test_the_live_total_shows_a_question_mark_while_a_duration_is_not_a_number():
    assert run(multi(5, "x")).total_text() == "? s of 3–15 s"


def test_an_unknown_target_is_one_clear_error():
    report = run(single(), target=("runway", "v3"))
    assert errors(report) == ["target_unknown"]
    assert report.to_dict()["seconds_range"] is None
