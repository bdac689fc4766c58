"""The pure logic behind storyboard_check / storyboard_payload (storyboard.rules.cli)."""

import json

import pytest

from storyboard.rules.cli import run_check, run_payload

KITCHEN = {
    "omni_version": "v3",
    "mode": "pro",
    "aspect_ratio": "16:9",
    "image_1": "https://s21-kling.klingai.com/.../kitchen.jpg",
    "shots": [
        {"prompt": "A chef @image_1", "duration": "3"},
        {"prompt": "He flips the food @image_1", "duration": "3"},
    ],
}
TOO_LONG = {"prompt": "A harbour", "duration": "16"}


def write(tmp_path, data, name="prompts.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_a_valid_list_prints_a_list_of_reports_and_exits_0(tmp_path):
    result = run_check(write(tmp_path, [KITCHEN, {"prompt": "A harbour"}]))
    assert result.code == 0 and result.stderr == ""
    reports = json.loads(result.stdout)
    assert [r["ok"] for r in reports] == [True, True]
    assert reports[0]["target"] == {"dialect": "useapi", "model": "v3"}


def test_a_single_item_prints_one_report(tmp_path):
    report = json.loads(run_check(write(tmp_path, KITCHEN)).stdout)
    assert report["total_seconds"] == 6 and report["slots"] == {"used": 1, "limit": 7}


def test_any_error_exits_1_with_every_report(tmp_path):
    result = run_check(write(tmp_path, [KITCHEN, TOO_LONG]))
    assert result.code == 1
    reports = json.loads(result.stdout)
    assert [r["ok"] for r in reports] == [True, False]
    assert reports[1]["problems"][0]["code"] == "total_seconds"
    assert "1 of 2" in result.stderr


def test_dialect_and_model_choose_the_target(tmp_path):
    path = write(tmp_path, {"prompt": "A harbour", "duration": "7"})
    assert run_check(path, "useapi", "o1").code == 0  # 3–10 s (VIP only warned about)
    report = json.loads(run_check(path, "apimart", "o1").stdout)
    assert report["target"] == {"dialect": "apimart", "model": "o1"}
    assert report["problems"][0]["message"].startswith("The duration is 7 s")


def test_reading_warnings_come_first_in_the_report(tmp_path):
    report = json.loads(run_check(write(tmp_path, {"prompt": "x", "colour": "red"})).stdout)
    assert report["ok"] and report["problems"][0]["field"] == "colour"


@pytest.mark.parametrize(
    "content,where",
    [
        ("{oops", "not JSON (line 1"),
        ('"just text"', "not a string"),
        ('[{"prompt": "a"}, {"shots": {}}]', "item 2: 'shots' must be a list"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_an_unreadable_file_exits_2_saying_where(tmp_path, content, where):
    path = tmp_path / "bad.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run_check(path)
    assert result.code == 2 and result.stdout == ""
    assert str(path) in result.stderr and where in result.stderr


def test_a_missing_file_exits_2(tmp_path):
    result = run_check(tmp_path / "nope.json")
    assert result.code == 2 and "cannot read" in result.stderr


def test_payload_prints_the_create_body(tmp_path):
    result = run_payload(write(tmp_path, KITCHEN), "kling")
    assert result.code == 0
    body = json.loads(result.stdout)
    assert body["multi_prompt"][0]["prompt"] == "A chef <<<image_1>>>"
    assert body["image_list"] == [{"image_url": KITCHEN["image_1"]}]
    assert "external_task_id" not in body


def test_payload_of_a_list_prints_a_list_of_bodies(tmp_path):
    result = run_payload(write(tmp_path, [KITCHEN, {"prompt": "Harbour"}]), "apimart", "v3")
    assert [b["duration"] for b in json.loads(result.stdout)] == [6, 5]


def test_payload_of_an_invalid_storyboard_prints_the_report_and_exits_1(tmp_path):
    result = run_payload(write(tmp_path, TOO_LONG), "useapi")
    assert result.code == 1
    assert json.loads(result.stdout)["problems"][0]["code"] == "total_seconds"


def test_the_seed_style_file_with_bad_values_is_reported_not_crashed_on(tmp_path):
    items = [
        {"shots": [{"prompt": "🎬 " * 10, "duration": d} for d in ("abc", "3.5", -2, None)]},
        {"prompt": "x" * 100_000},
        {"shots": [{"prompt": "s", "duration": "1"}] * 50},
        {"prompt": "a @image_9", "image_9": "https://x/9.jpg"},
    ]
    result = run_check(write(tmp_path, items))
    assert result.code == 1
    reports = json.loads(result.stdout)
    fields = {p["field"] for p in reports[0]["problems"]}
    assert {
        "shots[0].duration",
        "shots[1].duration",
        "shots[2].duration",
        "shots[3].duration",
    } <= fields
    assert "prompt_too_long" in [p["code"] for p in reports[1]["problems"]]
    assert "shot_count" in [p["code"] for p in reports[2]["problems"]]
    assert "slot_unknown" in [p["code"] for p in reports[3]["problems"]]


def test_cometapi_payload_prints_integer_ids_and_frontal_images_never_a_library_name(tmp_path):
    item = {
        "prompt": "@element_1 and @element_2 cook",
        "element_1": "829836802793406551",
        "element_2": {"ref": "Chef", "name": "Chef", "frontal_image": "https://cdn/chef.jpg"},
    }
    result = run_payload(write(tmp_path, item), "cometapi")
    assert result.code == 0, result
    body = json.loads(result.stdout)
    assert body["element_list"] == [{"element_id": 829836802793406551}]
    assert body["image_list"] == [{"image_url": "https://cdn/chef.jpg"}]
    assert "Chef" not in result.stdout
    report = json.loads(run_check(write(tmp_path, item), "cometapi").stdout)
    assert [p["code"] for p in report["problems"]] == ["element_sent_as_image"]


@pytest.mark.parametrize("dialect", ["kling", "cometapi"])
def test_an_element_id_that_is_not_a_number_is_refused_for_kling_and_cometapi(tmp_path, dialect):
    result = run_payload(write(tmp_path, {"prompt": "@element_1", "element_1": "u_abc"}), dialect)
    assert result.code == 1
    problem = json.loads(result.stdout)["problems"][0]
    assert (problem["code"], problem["field"]) == ("element_id_not_integer", "element_1")


def test_prompt_beside_shots_is_an_error_for_useapi_naming_the_item(tmp_path):
    item = {**KITCHEN, "prompt": "A kitchen at dawn"}
    result = run_check(write(tmp_path, [KITCHEN, item]))
    assert result.code == 1
    second = json.loads(result.stdout)[1]["problems"][0]
    assert (second["severity"], second["code"], second["field"]) == (
        "error", "prompt_with_shots", "prompt")
    assert second["message"].startswith('Item 2 has both "prompt" and "shots"')
    apimart = json.loads(run_check(write(tmp_path, item), "apimart").stdout)
    assert [(p["severity"], p["code"]) for p in apimart["problems"]][0] == (
        "warning", "prompt_with_shots")
