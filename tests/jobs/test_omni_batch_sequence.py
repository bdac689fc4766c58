"""`omni_batch --sequence TITLE`: the batch's items become the storyboards of one sequence of the
team, in file order, each playing its item's clip; a second run, a run stopped halfway and a
run after one without --sequence all end with every item in it once and in file order; an item
already in another sequence is named on stderr; a bad title exits 2 before anything is sent."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from jobs.conftest import video_tasks

from storyboard.boards.models import Storyboard
from storyboard.jobs.models import Job
from storyboard.sequences import actions as sequence_actions
from storyboard.sequences.models import Sequence
from storyboard.sequences.takes import chosen_takes

ITEMS = [
    {"title": "Dunes", "prompt": "A red kite over dunes", "duration": "5"},
    {"title": "Harbour", "prompt": "Boats in a harbour at dawn", "duration": "5"},
    {"title": "Roof", "prompt": "Rain on a tin roof, close up", "duration": "5"},
]


@pytest.fixture
def batch(tmp_path, sandbox_account, capsys):
    account = sandbox_account("kling")
    path = tmp_path / "prompts.json"
    path.write_text(json.dumps(ITEMS))

    def run(*extra):
        code = 0
        try:
            call_command("omni_batch", str(path), "--account", account.label, "--out",
                         str(tmp_path / "out"), "--timeout", "60", *extra)
        except SystemExit as exit_:
            code = exit_.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    run.account = account
    return run


def _strip(sequence):
    """(storyboard title, the chosen take's job title) in the sequence's order."""
    return [(entry.storyboard.title, clip.job.title if clip else None)
            for entry, clip in chosen_takes(sequence)]


def test_the_items_join_the_sequence_in_file_order_and_a_second_run_adds_nothing(
        batch, cast, sandbox):
    code, stdout, stderr = batch("--sequence", "  Scene   1 ")
    assert code == 0, stdout + stderr
    sequence = Sequence.objects.get(team=cast.team_a)
    assert sequence.title == "Scene 1"
    assert "sequence “Scene 1” (new): 3 storyboard(s) added, 0 already in it" in stderr
    # Each storyboard plays its own item's clip: the batch's takes are the sequence's.
    assert _strip(sequence) == [("Dunes", "Dunes"), ("Harbour", "Harbour"), ("Roof", "Roof")]
    assert all(job.storyboard is not None for job in Job.objects.all())
    entries = list(sequence.entries.values_list("pk", "storyboard_id", "position"))
    version = sequence.version

    code, again, stderr = batch("--sequence", "Scene 1")
    assert code == 0, again + stderr
    assert again == stdout
    assert "sequence “Scene 1”: 0 storyboard(s) added, 3 already in it" in stderr
    assert list(sequence.entries.values_list("pk", "storyboard_id", "position")) == entries
    sequence.refresh_from_db()
    assert sequence.version == version  # nothing changed, so exports stay valid
    assert Storyboard.objects.count() == 3 and Job.objects.count() == 3
    assert len(video_tasks(sandbox, "kling")) == 3


def test_a_run_stopped_while_placing_is_completed_in_file_order_by_the_next(
        batch, cast, sandbox, monkeypatch):
    real_add, calls = sequence_actions.add_storyboard, []

    def add_then_die(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the process is killed between the first item and the second
            raise KeyboardInterrupt
        return real_add(*args, **kwargs)

    monkeypatch.setattr(sequence_actions, "add_storyboard", add_then_die)
    with pytest.raises(KeyboardInterrupt):
        batch("--sequence", "Scene 1")
    sequence = Sequence.objects.get(team=cast.team_a)
    assert [t for t, _ in _strip(sequence)] == ["Dunes"]
    assert Job.objects.count() == 3  # all were submitted before the sequence was filled

    monkeypatch.setattr(sequence_actions, "add_storyboard", real_add)
    code, stdout, stderr = batch("--sequence", "Scene 1")
    assert code == 0, stdout + stderr
    assert "2 storyboard(s) added, 1 already in it" in stderr
    assert _strip(sequence) == [("Dunes", "Dunes"), ("Harbour", "Harbour"), ("Roof", "Roof")]
    assert Storyboard.objects.count() == 3 and len(video_tasks(sandbox, "kling")) == 3


def test_a_missing_item_goes_back_after_the_item_before_it(batch, cast, sandbox):
    code, *_ = batch("--sequence", "Scene 1")
    assert code == 0
    sequence = Sequence.objects.get(team=cast.team_a)
    harbour = sequence.entries.get(storyboard__title="Harbour")
    sequence_actions.remove_entry(harbour)
    assert [t for t, _ in _strip(sequence)] == ["Dunes", "Roof"]

    code, _, stderr = batch("--sequence", "Scene 1")
    assert code == 0 and "1 storyboard(s) added, 2 already in it" in stderr
    assert [t for t, _ in _strip(sequence)] == ["Dunes", "Harbour", "Roof"]
    assert Storyboard.objects.count() == 3  # the same storyboard again, not a new one


def test_a_batch_run_without_sequence_joins_one_on_a_later_run(batch, cast, sandbox):
    code, stdout, _ = batch()
    assert code == 0 and not Sequence.objects.exists()
    assert not Storyboard.objects.exists()  # without --sequence nothing changes

    code, again, stderr = batch("--sequence", "Scene 1")
    assert code == 0 and again == stdout
    assert _strip(Sequence.objects.get()) == [("Dunes", "Dunes"), ("Harbour", "Harbour"),
                                              ("Roof", "Roof")]
    assert len(video_tasks(sandbox, "kling")) == 3


def test_an_item_already_in_another_sequence_is_named_and_the_run_still_ends(
        batch, cast, sandbox):
    code, *_ = batch("--sequence", "Scene 1")
    assert code == 0
    code, stdout, stderr = batch("--sequence", "Scene 2")
    assert code == 1  # not everything that was asked was done
    assert stdout.count(": succeeded") == 3  # the clips are still written
    for n, title in enumerate(("Dunes", "Harbour", "Roof"), start=1):
        assert (f"item {n}: not added to “Scene 2”: “{title}” is already in the sequence "
                f"“Scene 1”; remove it there first") in stderr
    assert "Traceback" not in stderr
    assert [t for t, _ in _strip(Sequence.objects.get(title="Scene 1"))] == [
        "Dunes", "Harbour", "Roof"]
    assert not Sequence.objects.get(title="Scene 2").entries.exists()


@pytest.mark.parametrize("title, says", [
    ("   ", "--sequence: give the sequence a title (1–200 characters)"),
    ("x" * 201, "--sequence: at most 200 characters (this one has 201)"),
])
def test_a_bad_title_exits_2_naming_the_argument_before_anything_is_sent(
        batch, cast, sandbox, title, says):
    with pytest.raises(CommandError) as refused:
        batch("--sequence", title)
    assert str(refused.value) == says
    assert refused.value.returncode == 2
    assert not Job.objects.exists() and not Sequence.objects.exists()
    assert video_tasks(sandbox, "kling") == []
