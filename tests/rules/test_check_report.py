"""The check report has exactly the JSON shape of docs/rules.md, and every code is documented."""

import ast
import pathlib

from rules.rules_factory import multi, run

from storyboard.rules import report as report_module
from storyboard.rules.report import CODES


def test_the_report_has_exactly_the_rules_md_shape():
    data = run(multi(8, 8), vip=True).to_dict()
    assert data == {
        "ok": False,
        "target": {"dialect": "useapi", "model": "v3"},
        "total_seconds": 16,
        "seconds_range": [3, 15],
        "slots": {"used": 0, "limit": 7},
        "problems": [
            {
                "severity": "error",
                "code": "total_seconds",
                "field": "shots",
                "message": "Shots add up to 16 s; useapi v3 takes 3–15 s.",
            }
        ],
    }


def test_warnings_and_notes_do_not_make_a_report_fail():
    report = run(multi(4, 4, prompt="ignored here"))
    assert {p.severity for p in report.problems} == {"warning"}
    assert report.ok and report.to_dict()["ok"] is True


def test_every_code_the_rules_emit_is_documented():
    rules_dir = pathlib.Path(report_module.__file__).parent
    used = set()
    for path in rules_dir.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "Problem"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                used.add(node.args[1].value)
    assert used, "no Problem(...) calls found"
    assert used <= set(CODES), used - set(CODES)
    assert set(CODES) <= used | {"vip_required"}, set(CODES) - used
