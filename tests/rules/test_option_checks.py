"""docs/rules.md §5: mode, aspect ratio, count, audio, negative prompt, VIP-only options."""

import pytest
from rules.rules_factory import codes, errors, only, run, single, video


def test_4k_is_offered_on_useapi_v3_and_apimart_v3_but_not_on_o1():
    assert "mode_unsupported" not in errors(run(single(mode="4k"), vip=True))
    assert "mode_unsupported" not in errors(run(single(mode="4k", target=("apimart", "v3"))))
    problem = only(run(single(mode="4k", target=("useapi", "o1"))), "mode_unsupported")
    assert problem.field == "mode" and "std, pro" in problem.message


def test_4k_on_kling_v3_is_refused_while_the_table_flag_is_off():
    problem = only(run(single(mode="4k", target=("kling", "v3"))), "mode_unsupported")
    assert "unverified" in problem.message


def test_an_unknown_mode_is_refused():
    assert "mode_unsupported" in errors(run(single(mode="ultra")))


def test_auto_aspect_ratio_is_only_offered_by_useapi():
    assert "aspect_ratio_unsupported" not in errors(run(single(aspect_ratio="auto")))
    problem = only(
        run(single(aspect_ratio="auto", target=("kling", "v3"))), "aspect_ratio_unsupported"
    )
    assert problem.field == "aspect_ratio"


@pytest.mark.parametrize("count,ok", [(1, True), (4, True), (5, False), (0, False), ("two", False)])
def test_useapi_takes_1_to_4_outputs(count, ok):
    assert ("count_invalid" not in errors(run(single(count=count), vip=True))) is ok


def test_kling_takes_exactly_one_output():
    assert "count_invalid" not in errors(run(single(count=1, target=("kling", "v3"))))
    problem = only(run(single(count=2, target=("kling", "v3"))), "count_invalid")
    assert problem.field == "count"


def test_vip_only_options_are_errors_without_vip_and_warnings_when_unknown():
    for sb, fld in (
        (single(count=2), "count"),
        (single(duration=7), "duration"),
        (single(mode="4k"), "mode"),
    ):
        assert only(run(sb, vip=False), "vip_required").severity == "error"
        assert only(run(sb, vip=False), "vip_required").field == fld
        assert only(run(sb), "vip_required").severity == "warning"
        assert "vip_required" not in codes(run(sb, vip=True))


def test_6_seconds_needs_no_vip_and_7_does():
    assert run(single(duration=6), vip=False).ok
    assert not run(single(duration=7), vip=False).ok


def test_audio_is_offered_on_kling_v3_and_refused_on_o1():
    assert run(single(audio=True, target=("kling", "v3"))).ok
    report = run(single(audio=True, target=("kling", "o1")))
    assert only(report, "audio_unsupported").field == "audio"


def test_audio_on_useapi_v3_and_the_animatic_is_only_a_warning():
    for target in (("useapi", "v3"), ("animatic", "v3")):
        report = run(single(audio=True, target=target))
        assert report.ok and only(report, "audio_unsupported").severity == "warning"


def test_a_negative_prompt_of_2500_is_ok_on_apimart_and_2501_refused():
    assert run(single(negative_prompt="n" * 2500, target=("apimart", "v3"))).ok
    problem = only(
        run(single(negative_prompt="n" * 2501, target=("apimart", "v3"))),
        "negative_prompt_too_long",
    )
    assert problem.field == "negative_prompt"


def test_a_negative_prompt_is_refused_where_the_dialect_has_none():
    assert "negative_prompt_unsupported" in errors(run(single(negative_prompt="blur")))
    assert run(single(negative_prompt="blur", target=("animatic", "v3"))).ok


def test_useapi_notes_that_the_aspect_ratio_becomes_auto_with_a_video():
    sb = single("Next shot after @video_1", attachments={"video_1": video()})
    report = run(sb)
    assert report.ok and only(report, "aspect_ratio_forced").severity == "note"
