"""The capability table holds the vendors' documented values, as data with a source note per
value."""

from dataclasses import fields, replace

import pytest
from rules.rules_factory import errors, run, single

from storyboard.rules import capabilities
from storyboard.rules.capabilities import CAPABILITIES, DIALECTS, MODELS, Capability

# (useapi o1, useapi v3, kling o1, kling v3, apimart o1, apimart v3), from the vendors' docs
COLUMNS = [
    ("useapi", "o1"),
    ("useapi", "v3"),
    ("kling", "o1"),
    ("kling", "v3"),
    ("apimart", "o1"),
    ("apimart", "v3"),
]
ROWS = {
    "multi_shot": (False, True, False, True, False, True),
    "shots": (None, (2, 6), None, (2, 6), None, (2, 6)),
    "total_seconds": ((3, 10), (3, 15), (3, 10), (3, 15), (5, 10), (3, 15)),
    "seconds_choices": (None, None, None, None, (5, 10), None),
    "seconds_text_or_first_frame": (None, None, (5, 10), None, None, None),
    "prompt_chars": (1700, 1700, 2500, 2500, 2500, 2500),
    "shot_prompt_chars": (None, 512, None, 512, None, 512),
    "negative_prompt_chars": (None, None, None, None, None, 2500),
    "main_prompt_with_shots": ("not_sent",) * 4 + ("sent",) * 2,
    "slots": (7,) * 6,
    "slots_with_video": (4,) * 6,
    "elements_with_first_frame": (3,) * 6,
    "video_elements": (False, True, False, True, False, False),
    "elements": (True, True, True, True, False, False),
    "element_ids_integer": (False, False, True, True, False, False),
    "element_voices": (("id", "clip"),) * 2 + (("id",),) * 2 + ((),) * 2,
    "voice_tags": (("character",),) * 2 + (None,) * 4,
    "base_video": (False, False, True, True, True, True),
    "modes": (
        ("std", "pro"),
        ("std", "pro", "4k"),
        ("std", "pro"),
        ("std", "pro"),
        ("std", "pro"),
        ("std", "pro", "4k"),
    ),
    "count": ((1, 4), (1, 4), (1, 1), (1, 1), (1, 1), (1, 1)),
    "audio": ("no", "unverified", "no", "yes", "no", "yes"),
    "vip_min_seconds": (7, 7, None, None, None, None),
    "vip_min_count": (2, 2, None, None, None, None),
    "vip_modes": ((), ("4k",), (), (), (), ()),
    "public_media": (False, False, False, False, True, True),
    "url_only": ((), (), ("video",), ("video",), ("image", "video"), ("image", "video")),
}


@pytest.mark.parametrize("row", sorted(ROWS))
def test_each_row_matches_the_vendor_docs(row):
    assert tuple(getattr(CAPABILITIES[c], row) for c in COLUMNS) == ROWS[row]


def test_every_dialect_and_model_has_a_row():
    assert set(CAPABILITIES) == {(d, m) for d in DIALECTS for m in MODELS}


def test_cometapi_has_kling_limits_but_its_own_durations_and_no_element_route():
    for model in MODELS:
        kling, comet = CAPABILITIES["kling", model], CAPABILITIES["cometapi", model]
        same = replace(
            comet,
            dialect="kling",
            element_ids_required=False,
            seconds_text_or_first_frame=kling.seconds_text_or_first_frame,
            element_voices=kling.element_voices,
        )
        assert same == kling
        assert comet.element_ids_required and comet.element_voices == ()
        # text-only and first-frame jobs: 5 or 10 s on both CometAPI models (seed 003)
        assert comet.seconds_text_or_first_frame == (5, 10)
        assert "seed 003" in comet.note("seconds_text_or_first_frame")
        assert "cometapi.com" in comet.note("seconds_text_or_first_frame")


def test_the_animatic_takes_kling_v3_limits_except_modes_and_audio():
    kling = CAPABILITIES["kling", "v3"]
    for model in MODELS:
        animatic = CAPABILITIES["animatic", model]
        assert (
            replace(
                animatic,
                dialect="kling",
                model="v3",
                modes=kling.modes,
                audio=kling.audio,
                main_prompt_with_shots=kling.main_prompt_with_shots,
                element_voices=kling.element_voices,
                url_only=kling.url_only,
            )
            == kling
        )


def test_useapi_alone_offers_auto_aspect():
    assert [k for k, c in CAPABILITIES.items() if "auto" in c.aspect_ratios] == [
        ("useapi", "o1"),
        ("useapi", "v3"),
    ]


def test_every_value_has_a_source_note():
    for cap in CAPABILITIES.values():
        for f in fields(Capability):
            if f.name not in ("dialect", "model", "notes"):
                assert cap.note(f.name), (cap.dialect, cap.model, f.name)
    assert "useapi.net" in CAPABILITIES["useapi", "v3"].note("total_seconds")


def test_no_note_cites_a_spec_file_outside_the_repo():
    for cap in CAPABILITIES.values():
        for name, note in cap.notes.items():
            assert "providers.md" not in note and "rules.md" not in note, (cap.target, name)


def test_unconfirmed_apimart_fields_are_not_offered_and_say_why():
    for model in MODELS:
        cap = CAPABILITIES["apimart", model]
        assert not cap.elements and "docs.apimart.ai" in cap.note("elements")
    assert "kling-video-o1" in CAPABILITIES["apimart", "o1"].note("total_seconds")


def test_changing_a_limit_in_the_table_changes_the_checks(monkeypatch):
    sb = single(duration=16)
    assert "total_seconds" in errors(run(sb, vip=True))
    wider = replace(CAPABILITIES["useapi", "v3"], total_seconds=(3, 20))
    monkeypatch.setitem(capabilities.CAPABILITIES, ("useapi", "v3"), wider)
    assert run(sb, vip=True).ok
