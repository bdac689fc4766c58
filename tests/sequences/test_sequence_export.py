"""`manage.py sequence_export`: writes the file, names storyboards without a take (exit 1)
unless --placeholders, and refuses a bad argument with exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from sequences.test_exports import _preview, make_clip, scene  # noqa: F401  (fixtures)

from storyboard.sequences.timeline import read_timeline


def test_writes_the_timeline_with_placeholders(scene, tmp_path, capsys):  # noqa: F811
    sequence, coast, market, _ = scene
    _preview(market)
    out = tmp_path / "cut.fcpxml"
    call_command("sequence_export", "--team", sequence.team.name, "--sequence", "Scene 1",
                 "--format", "fcpxml", "--out", str(out), "--placeholders")
    assert f"wrote {out}" in capsys.readouterr().out
    back = read_timeline(out.read_text(), "fcpxml")
    assert [c.name for c in back.find_clips()] == ["Coast", "Market"]


def test_without_placeholders_names_the_storyboards_and_exits_1(scene, tmp_path, capsys):  # noqa: F811
    sequence, *_ = scene
    with pytest.raises(SystemExit) as stop:
        call_command("sequence_export", "--team", sequence.team.name, "--sequence", "Scene 1",
                     "--format", "edl", "--out", str(tmp_path / "x.edl"))
    assert stop.value.code == 1
    assert "'Market'" in capsys.readouterr().err
    assert not (tmp_path / "x.edl").exists()


@pytest.mark.parametrize("args, says", [
    (["--sequence", "Nope"], "--sequence 'Nope': no sequence"),
    (["--team", "Nobody"], "--team 'Nobody': no team"),
])
def test_a_bad_argument_exits_2(scene, tmp_path, args, says):  # noqa: F811
    sequence, *_ = scene
    given = {"--team": sequence.team.name, "--sequence": "Scene 1", "--format": "otio",
             "--out": str(tmp_path / "x.otio")}
    given.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises(CommandError, match=says) as refused:
        call_command("sequence_export", *[x for kv in given.items() for x in kv])
    assert refused.value.returncode == 2


def test_an_unknown_format_exits_2_from_the_shell():
    done = subprocess.run([sys.executable, "manage.py", "sequence_export", "--team", "x",
                           "--sequence", "y", "--format", "mov", "--out", "z"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "--format: invalid choice: 'mov'" in done.stderr
