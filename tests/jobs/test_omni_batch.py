"""`omni_batch` runs a seed-style prompts.json end to end against a sandbox account, and a
second run resumes instead of paying again."""

import json

import pytest
from django.core.management import call_command
from jobs.conftest import video_tasks
from library.media_factory import jpeg

from storyboard.jobs.models import Job


def _write(tmp_path, items):
    path = tmp_path / "prompts.json"
    path.write_text(json.dumps(items))
    return path


def _run(path, label, out, capsys):
    code = 0
    try:
        call_command("omni_batch", str(path), "--account", label, "--out", str(out),
                     "--timeout", "60")
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


SEED = [
    {"__comment": "the seed tutorial's kitchen", "mode": "pro", "image_1": "kitchen.jpg",
     "shots": [{"prompt": "Cinematic medium shot, a chef at the stove @image_1", "duration": "3"},
               {"prompt": "The chef flips the food @image_1", "duration": "3"}]},
    {"prompt": "A red kite over dunes", "duration": "5", "speed": "fast"},
]


@pytest.mark.parametrize("dialect", ["useapi", "kling"])
def test_a_seed_batch_runs_end_to_end_and_resumes(dialect, tmp_path, cast, sandbox_account,
                                                  sandbox, capsys):
    (tmp_path / "kitchen.jpg").write_bytes(jpeg(800, 600))
    account = sandbox_account(dialect)
    path = _write(tmp_path, SEED)
    out = tmp_path / "out"
    code, stdout, stderr = _run(path, account.label, out, capsys)
    assert code == 0, stdout + stderr
    lines = stdout.strip().splitlines()
    assert len(lines) == 2 and all(": succeeded" in line for line in lines)
    files = sorted(p.name for p in out.iterdir())
    assert files == ["001-batch-item-1.mp4", "002-batch-item-2.mp4"]
    assert "6.0 s" in lines[0] and "clean master" in lines[0]
    assert len(video_tasks(sandbox, dialect)) == 2
    assert 'item 2: warning: Unknown key "speed" is ignored.' in stderr

    code, again, _ = _run(path, account.label, out, capsys)  # resumes: nothing new is paid
    assert code == 0 and again == stdout
    assert Job.objects.count() == 2 and len(video_tasks(sandbox, dialect)) == 2


def test_one_bad_item_stops_the_batch_before_anything_is_sent(tmp_path, cast, sandbox_account,
                                                              sandbox, capsys):
    account = sandbox_account("kling")
    path = _write(tmp_path, [{"prompt": "fine", "duration": "5"},
                             {"prompt": "too long", "duration": "16"},
                             {"prompt": "missing file @image_1", "image_1": "nowhere.jpg"}])
    code, stdout, stderr = _run(path, account.label, tmp_path / "out", capsys)
    assert code == 1 and "Nothing was submitted" in stderr
    reports = json.loads(stdout)
    assert [r["ok"] for r in reports] == [True, False, False]
    assert any(p["code"] == "total_seconds" for p in reports[1]["problems"])
    assert "nowhere.jpg" in json.dumps(reports[2])
    assert not Job.objects.exists() and video_tasks(sandbox, "kling") == []


def test_an_unreadable_file_exits_2_and_an_unknown_account_is_named(tmp_path, cast,
                                                                    sandbox_account, capsys):
    account = sandbox_account("kling")
    path = tmp_path / "prompts.json"
    path.write_text("{not json")
    code, _, stderr = _run(path, account.label, tmp_path / "out", capsys)
    assert code == 2 and "not JSON" in stderr
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no provider account with that label"):
        call_command("omni_batch", str(path), "--account", "Nope")


def test_a_file_the_library_refuses_stops_the_batch_naming_it(tmp_path, cast, sandbox_account,
                                                              sandbox, capsys, settings):
    settings.STORYBOARD_LOCAL_URL = "http://127.0.0.1:9"  # vendors fetch media by URL here
    (tmp_path / "kitchen.jpg").write_bytes(jpeg(800, 600))
    (tmp_path / "notes.jpg").write_text("not a picture at all")
    account = sandbox_account("apimart")
    path = _write(tmp_path, [
        {"prompt": "A chef @image_1", "duration": "5", "image_1": "kitchen.jpg"},
        {"prompt": "A kite @image_1", "duration": "5", "image_1": "notes.jpg"}])
    code, _, stderr = _run(path, account.label, tmp_path / "out", capsys)
    assert code == 1 and "item 2: image_1: notes.jpg cannot be used" in stderr
    assert "Nothing was submitted" in stderr
    assert not Job.objects.exists() and video_tasks(sandbox, "apimart") == []


def test_files_of_a_batch_reach_a_url_only_vendor_through_signed_library_links(
        tmp_path, cast, sandbox_account, sandbox, capsys, settings):
    settings.STORYBOARD_LOCAL_URL = "http://127.0.0.1:9"
    (tmp_path / "kitchen.jpg").write_bytes(jpeg(800, 600))
    account = sandbox_account("apimart")
    path = _write(tmp_path, [{"prompt": "A chef @image_1", "duration": "5",
                              "image_1": "kitchen.jpg"}])
    code, stdout, stderr = _run(path, account.label, tmp_path / "out", capsys)
    assert code == 0, stdout + stderr
    job = Job.objects.get()
    assert job.request_body["image_urls"][0].startswith("http://127.0.0.1:9/storyboards/media/")
    assert list(job.slot_sources.values()) == [{"image": cast.team_a.reference_images.get().pk}]


def test_an_element_named_by_its_library_name_is_a_library_element_on_kling(
        tmp_path, cast, sandbox_account, sandbox, capsys):
    from library.media_factory import make_image_element

    from storyboard.jobs.models import RemoteElement

    account = sandbox_account("kling")
    make_image_element(cast.team_a, cast.editor, name="Mara")
    path = _write(tmp_path, [{"prompt": "@element_1 waves", "duration": "5",
                              "element_1": "Mara"}])
    code, stdout, stderr = _run(path, account.label, tmp_path / "out", capsys)
    assert code == 0, stdout + stderr
    remote = RemoteElement.objects.get(account=account).remote_id
    job = Job.objects.get()
    assert job.request_body["element_list"] == [{"element_id": int(remote)}]
    assert job.snapshot["attachments"]["element_1"]["name"] == "Mara"


def test_every_step_runs_through_django_q2_sync_and_each_sweep_at_the_same_depth(
        tmp_path, cast, sandbox_account, sandbox, capsys, monkeypatch):
    import traceback

    from django_q.conf import Conf
    from django_q.signals import pre_execute

    from storyboard.jobs import worker

    account = sandbox_account("kling")
    path = _write(tmp_path, [{"prompt": "A red kite over dunes", "duration": "5"}])
    real_sweep, depths, steps = worker.poll_due_jobs, [], []

    def sweep():
        depths.append(len(traceback.extract_stack()))
        return real_sweep()

    def executed(sender, func, task, **kwargs):
        steps.append((task["func"], task.get("sync")))

    monkeypatch.setattr(worker, "poll_due_jobs", sweep)
    pre_execute.connect(executed, dispatch_uid="test-batch-steps")
    sync_before = Conf.SYNC
    try:
        code, stdout, stderr = _run(path, account.label, tmp_path / "out", capsys)
    finally:
        pre_execute.disconnect(dispatch_uid="test-batch-steps")
    assert code == 0, stdout + stderr
    # Handed over by worker.dispatch and run in this process by django-q2's own sync worker.
    assert ("storyboard.jobs.worker.submit_job_task", True) in steps
    assert ("storyboard.jobs.worker.download_job", True) in steps
    assert Conf.SYNC is sync_before  # only for the length of the command
    # Many polls, one stack depth: no poll runs inside the one before it.
    assert len(depths) >= 2 and len(set(depths)) == 1
