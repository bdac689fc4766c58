"""Reading and writing the batch file format (prompts.json): defaults, comments, bad input."""

import json
from dataclasses import replace

import pytest
from rules.rules_factory import codes, errors, run

from storyboard.rules.batch import BatchFormatError, dump_batch, parse_batch
from storyboard.rules.checks import check

SEED = [
    {
        "__comment": "two-shot kitchen",
        "omni_version": "v3",
        "mode": "pro",
        "image_1": "https://s21-kling.klingai.com/.../kitchen.jpg",
        "shots": [
            {"prompt": "A chef @image_1", "duration": "3"},
            {"prompt": "He flips the food @image_1", "duration": "3"},
        ],
    },
    {"prompt": "A quiet harbour at dawn"},
]


def read(data, dialect="useapi"):
    return parse_batch(json.dumps(data), dialect)


def test_a_list_reads_as_one_storyboard_per_item():
    batch = read(SEED)
    assert batch.is_list and len(batch.items) == 2
    kitchen = batch.items[0].storyboard
    assert kitchen.settings.multi_shot and [s.duration for s in kitchen.shots] == ["3", "3"]
    assert kitchen.attachments["image_1"].ref.endswith("kitchen.jpg")
    assert batch.items[0].problems == []  # "__comment" is ignored silently


def test_a_single_item_reads_as_one_storyboard():
    batch = read({"prompt": "x"})
    assert not batch.is_list and len(batch.items) == 1


def test_defaults_are_v3_16_9_std_and_5_seconds():
    sb = read({"prompt": "A harbour"}).items[0].storyboard
    assert (sb.target.model, sb.settings.aspect_ratio, sb.settings.mode) == ("v3", "16:9", "std")
    assert check(sb).total_seconds == 5


def test_the_target_dialect_comes_from_the_caller_and_the_model_from_omni_version():
    sb = read({"prompt": "x", "omni_version": "o1"}, dialect="kling").items[0].storyboard
    assert (sb.target.dialect, sb.target.model) == ("kling", "o1")


def test_unknown_keys_are_warnings_naming_them():
    item = read({"prompt": "x", "colour": "red", "shots_": 1}).items[0]
    assert sorted(p.field for p in item.problems) == ["colour", "shots_"]
    assert all(p.severity == "warning" and p.code == "unknown_key" for p in item.problems)
    assert '"colour"' in item.problems[0].message


def test_a_slot_called_image_9_is_an_error_on_image_9():
    sb = read({"prompt": "x @image_9", "image_9": "https://x/a.jpg"}).items[0].storyboard
    report = run(sb)
    assert "slot_unknown" in errors(report)
    assert any(p.field == "image_9" for p in report.problems)


@pytest.mark.parametrize("raw", ["abc", "3.5", -2, None])
def test_bad_durations_become_field_problems_not_exceptions(raw):
    sb = (
        read({"shots": [{"prompt": "a", "duration": "3"}, {"prompt": "b", "duration": raw}]})
        .items[0]
        .storyboard
    )
    report = run(sb)
    assert not report.ok
    assert any(p.field == "shots[1].duration" for p in report.problems)


def test_a_null_single_duration_is_reported_on_duration():
    report = run(read({"prompt": "x", "duration": None}).items[0].storyboard)
    assert [p.field for p in report.problems if p.code == "duration_invalid"] == ["duration"]


def test_50_shots_unicode_and_a_huge_prompt_are_reported():
    shots = [{"prompt": "🎬 ショット " + "é" * 10, "duration": "1"}] * 50
    report = run(read({"shots": shots}).items[0].storyboard)
    assert "shot_count" in errors(report)
    report = run(read({"prompt": "x" * 100_000}).items[0].storyboard)
    assert "prompt_too_long" in errors(report)


def test_a_duration_beside_shots_is_ignored_with_a_warning():
    item = read({"duration": "9", "shots": [{"prompt": "a", "duration": "3"}] * 2}).items[0]
    assert codes(run(item.storyboard)) == []
    assert [p.code for p in item.problems] == ["duration_ignored"]


@pytest.mark.parametrize(
    "text,where",
    [
        ("{not json", "not JSON (line 1, column 2"),
        ("", "not JSON"),
        ("42", "not a number"),
        ("[]", "the list is empty"),
        ('[{"prompt": "a"}, {"prompt": "b"}, {"shots": "3x2"}]', "item 3: 'shots' must be a list"),
        ('[{"prompt": "a"}, "b"]', "item 2: must be a JSON object"),
        ('{"prompt": 5}', "the storyboard: 'prompt' must be a string"),
        ('{"shots": [{"prompt": "a", "duration": 1}, 7]}', "shot 2: must be an object"),
        ('{"shots": [{"prompt": ["a"]}]}', "shot 1: 'prompt' must be a string"),
        ('{"prompt": "a", "image_1": 7}', "'image_1' must be a string"),
        ('{"prompt": "a", "audio": "yes"}', "'audio' must be true or false"),
        ('{"prompt": "a", "image_1": {"ref": "x", "colour": 1}}', "unknown key(s) colour"),
        ("[" * 100_000 + "]" * 100_000, "not JSON"),
    ],
)
def test_structural_mistakes_are_read_errors_saying_where(text, where):
    with pytest.raises(BatchFormatError) as e:
        parse_batch(text)
    assert where in str(e.value)


def test_attachment_objects_carry_roles_video_types_and_element_facts():
    sb = (
        read(
            {
                "prompt": "x",
                "image_1": {"ref": "a.jpg", "role": "first_frame"},
                "video_1": {"ref": "v.mp4", "refer_type": "base"},
                "element_1": {
                    "ref": "u_1",
                    "name": "Chef",
                    "frontal_image": "f.jpg",
                    "extra_images": ["s.jpg"],
                },
            }
        )
        .items[0]
        .storyboard
    )
    assert sb.attachments["image_1"].role == "first_frame"
    assert sb.attachments["video_1"].refer_type == "base"
    assert sb.attachments["element_1"].extra_images == ("s.jpg",)


def test_writing_then_reading_gives_the_same_storyboards():
    data = SEED + [
        {
            "prompt": "x",
            "audio": True,
            "count": 2,
            "negative_prompt": "blur",
            "title": "Harbour",
            "image_2": {"ref": "a.jpg", "role": "end_frame"},
            "video_1": {"ref": "v.mp4", "refer_type": "base", "keep_original_sound": True},
        }
    ]
    first = [i.storyboard for i in read(data).items]
    text = dump_batch(first)
    again = [i.storyboard for i in parse_batch(text).items]
    # durations come back as the batch script writes them ("5"); everything else is identical
    assert dump_batch(again) == text
    assert [check(s).to_dict() for s in again] == [check(s).to_dict() for s in first]
    assert [s.attachments for s in again] == [s.attachments for s in first]
    assert again[2].settings == replace(first[2].settings, duration="5")


def test_a_plain_storyboard_is_written_in_the_vendor_format_only():
    sb = read({"prompt": "A harbour", "image_1": "https://x/a.jpg"}).items[0].storyboard
    assert json.loads(dump_batch([sb], as_list=False)) == {
        "prompt": "A harbour",
        "duration": "5",
        "omni_version": "v3",
        "mode": "std",
        "aspect_ratio": "16:9",
        "image_1": "https://x/a.jpg",
    }


def test_an_element_object_carries_its_tag_and_voice_and_round_trips():


    item = {"prompt": "@element_1", "element_1": {"ref": "u_1", "tag": "character", "voice": "id"}}
    sb = parse_batch(json.dumps(item)).items[0].storyboard
    assert (sb.attachments["element_1"].tag, sb.attachments["element_1"].voice) == (
        "character", "id")
    again = parse_batch(dump_batch([sb], as_list=False)).items[0].storyboard
    assert again.attachments == sb.attachments


def test_an_element_voice_must_be_id_or_clip():


    with pytest.raises(BatchFormatError, match="voice' must be"):
        parse_batch(json.dumps({"prompt": "x", "element_1": {"ref": "u", "voice": "loud"}}))
