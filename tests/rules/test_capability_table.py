"""The capability table holds exactly rules.md's values, as data with a note per value."""

from dataclasses import fields, replace

import pytest
from rules.rules_factory import errors, run, single

from storyboard.rules import capabilities
from storyboard.rules.capabilities import CAPABILITIES, DIALECTS, MODELS, Capability

# (useapi o1, useapi v3, kling o1, kling v3, apimart o1, apimart v3) straight from rules.md
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
    "negative_prompt_chars": (None, None, None, None, 2500, 2500),
    "slots": (7,) * 6,
    "slots_with_video": (4,) * 6,
    "elements_with_first_frame": (3,) * 6,
    "video_elements": (False, True, False, True, False, False),
    "subjects": (None, None, None, None, 3, 3),
    "subject_images": (None, None, None, None, (2, 4), (2, 4)),
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
}


@pytest.mark.parametrize("row", sorted(ROWS))
def test_each_row_matches_rules_md(row):
    assert tuple(getattr(CAPABILITIES[c], row) for c in COLUMNS) == ROWS[row]


def test_every_dialect_and_model_has_a_row():
    assert set(CAPABILITIES) == {(d, m) for d in DIALECTS for m in MODELS}


def test_cometapi_has_kling_limits_and_no_element_route():
    for model in MODELS:
        kling, comet = CAPABILITIES["kling", model], CAPABILITIES["cometapi", model]
        assert replace(comet, dialect="kling", element_ids_required=False) == kling
        assert comet.element_ids_required


def test_the_animatic_takes_kling_v3_limits_except_modes_and_audio():
    kling = CAPABILITIES["kling", "v3"]
    for model in MODELS:
        animatic = CAPABILITIES["animatic", model]
        assert (
            replace(animatic, dialect="kling", model="v3", modes=kling.modes, audio=kling.audio)
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
    assert "providers.md A" in CAPABILITIES["useapi", "v3"].note("total_seconds")


def test_changing_a_limit_in_the_table_changes_the_checks(monkeypatch):
    sb = single(duration=16)
    assert "total_seconds" in errors(run(sb, vip=True))
    wider = replace(CAPABILITIES["useapi", "v3"], total_seconds=(3, 20))
    monkeypatch.setitem(capabilities.CAPABILITIES, ("useapi", "v3"), wider)
    assert run(sb, vip=True).ok
