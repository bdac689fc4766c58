"""docs/rules.md's "Check codes" table is generated from the code and cannot drift from it."""

import pathlib
import subprocess
import sys

from storyboard.rules import codes_doc
from storyboard.rules.report import CODES

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULES_DOC = ROOT / "docs" / "rules.md"


def test_the_rules_doc_lists_exactly_the_codes_of_the_code():
    assert codes_doc.main(["--check", str(RULES_DOC)]) == 0
    table = codes_doc.table_in(RULES_DOC.read_text(encoding="utf-8"))
    listed = {line.split("`")[1] for line in table.splitlines() if line.startswith("| `")}
    assert listed == set(CODES)


def test_a_code_missing_from_the_doc_is_reported(tmp_path, capsys):
    doc = RULES_DOC.read_text(encoding="utf-8")
    stale = tmp_path / "rules.md"
    stale.write_text(
        "\n".join(line for line in doc.splitlines() if "`prompt_with_shots`" not in line),
        encoding="utf-8",
    )
    assert codes_doc.main(["--check", str(stale)]) == 1
    assert "differs from storyboard/rules/report.py" in capsys.readouterr().err


def test_a_doc_without_the_markers_fails_the_check(tmp_path, capsys):
    bare = tmp_path / "rules.md"
    bare.write_text("# Rules\n\nno table here\n", encoding="utf-8")
    assert codes_doc.main(["--check", str(bare)]) == 1
    assert "markers are missing" in capsys.readouterr().err


def test_write_repairs_a_stale_table(tmp_path):
    stale = tmp_path / "rules.md"
    stale.write_text(f"intro\n{codes_doc.BEGIN}\n| old |\n{codes_doc.END}\noutro\n",
                     encoding="utf-8")
    assert codes_doc.main(["--write", str(stale)]) == 0
    text = stale.read_text(encoding="utf-8")
    assert codes_doc.main(["--check", str(stale)]) == 0
    assert text.startswith("intro\n") and text.endswith("outro\n") and "| old |" not in text


def test_severities_come_from_the_problem_calls():
    severities = codes_doc.emitted_severities()
    assert severities["reference_unused"] == {"warning"}
    assert severities["base_video_fixes_duration"] == {"note"}
    # chosen at run time: `sev, why = ERROR, …` / `WARNING, …` in references.py
    assert severities["public_media_required"] == {"error", "warning"}
    assert severities["vip_required"] == {"error", "warning"}


def test_the_command_prints_the_table_without_django():
    # a fresh interpreter without DJANGO_SETTINGS_MODULE; storyboard.rules stays Django-free
    script = (
        "import sys\n"
        "from storyboard.rules import codes_doc\n"
        "code = codes_doc.main([])\n"
        "assert not any(m.split('.')[0] == 'django' for m in sys.modules), 'imported Django'\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("| code | severity | rule | meaning |")
    assert "| `total_seconds` | error | §3 |" in result.stdout
