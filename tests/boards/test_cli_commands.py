"""manage.py storyboard_check / storyboard_payload: output shape and exit codes 0/1/2."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]
KITCHEN = {
    "omni_version": "v3",
    "mode": "pro",
    "image_1": "https://s21-kling.klingai.com/.../kitchen.jpg",
    "shots": [
        {"prompt": "A chef @image_1", "duration": "3"},
        {"prompt": "He flips the food @image_1", "duration": "3"},
    ],
}


def write(tmp_path, data):
    path = tmp_path / "prompts.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def call(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_check_prints_the_reports_of_a_valid_list(tmp_path):
    reports = json.loads(call("storyboard_check", write(tmp_path, [KITCHEN, {"prompt": "x"}])))
    assert [r["ok"] for r in reports] == [True, True]
    assert set(reports[0]) == {
        "ok",
        "target",
        "total_seconds",
        "seconds_range",
        "slots",
        "problems",
    }


def test_check_defaults_to_useapi_and_takes_a_dialect_and_model(tmp_path):
    path = write(tmp_path, {"prompt": "x"})
    assert json.loads(call("storyboard_check", path))["target"] == {
        "dialect": "useapi",
        "model": "v3",
    }
    report = json.loads(call("storyboard_check", path, "--dialect", "kling", "--model", "o1"))
    assert report["target"] == {"dialect": "kling", "model": "o1"}


def test_check_exits_1_when_a_storyboard_has_an_error(tmp_path):
    out = StringIO()
    with pytest.raises(CommandError) as e:
        call_command(
            "storyboard_check", write(tmp_path, {"prompt": "x", "duration": "16"}), stdout=out
        )
    assert e.value.returncode == 1
    assert json.loads(out.getvalue())["problems"][0]["code"] == "total_seconds"


def test_check_exits_2_on_a_file_in_the_wrong_format(tmp_path):
    with pytest.raises(CommandError) as e:
        call("storyboard_check", write(tmp_path, '[{"prompt": "a"}, {"shots": 3}]'))
    assert e.value.returncode == 2
    assert "item 2: 'shots' must be a list" in str(e.value)


def test_payload_prints_the_body_for_the_dialect(tmp_path):
    body = json.loads(call("storyboard_payload", write(tmp_path, KITCHEN), "--dialect", "useapi"))
    assert body["shot_2_prompt"] == "He flips the food @image_1"
    assert body["shot_1_duration"] == "3" and "prompt" not in body


def test_payload_of_an_invalid_storyboard_prints_the_report_and_exits_1(tmp_path):
    out = StringIO()
    with pytest.raises(CommandError) as e:
        call_command(
            "storyboard_payload", write(tmp_path, {"prompt": ""}), "--dialect", "kling", stdout=out
        )
    assert e.value.returncode == 1
    assert json.loads(out.getvalue())["problems"][0]["code"] == "prompt_missing"


def run_manage(*args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_from_the_shell_the_exit_codes_are_0_1_2_and_stderr_has_no_traceback(tmp_path):
    good, bad, broken = (tmp_path / n for n in ("good.json", "bad.json", "broken.json"))
    good.write_text(json.dumps(KITCHEN))
    bad.write_text(json.dumps([KITCHEN, {"prompt": "x", "duration": "abc"}]))
    broken.write_text("{not json")
    results = [run_manage("storyboard_check", str(p)) for p in (good, bad, broken)]
    assert [r.returncode for r in results] == [0, 1, 2]
    assert json.loads(results[1].stdout)[1]["problems"][0]["field"] == "duration"
    assert "not JSON (line 1, column 2" in results[2].stderr
    assert all("Traceback" not in r.stderr for r in results)


def test_payload_requires_a_dialect():
    result = run_manage("storyboard_payload", "prompts.json")
    assert result.returncode != 0 and "--dialect" in result.stderr
