"""A storyboard becomes a clip: submitted once however often the button is pressed, polled,
downloaded, checked and stored — for the local animatic and for every sandbox dialect."""

import pytest
from jobs.conftest import video_tasks

from storyboard.jobs.actions import SubmitRefused, submit_job
from storyboard.jobs.models import Clip, Job
from storyboard.library.videos import probe_video
from storyboard.storage import local_path


def test_the_local_animatic_renders_a_clip_of_the_planned_length(cast, board, queue):
    job = submit_job(board(), cast.editor, "key-1")
    assert job.state == "queued" and queue.tasks == [("submit_job_task", (str(job.id),))]
    job = queue.drive(job)
    assert job.state == "succeeded", job.failure_text
    clip = job.clips.get()
    info = probe_video(str(local_path(clip.file)))
    assert abs(info.seconds - 5) < 0.1 and (clip.width, clip.height) == (1280, 720)
    assert not clip.watermarked and len(clip.sha256) == 64


@pytest.mark.parametrize("dialect", ["useapi", "kling", "cometapi", "apimart"])
def test_each_sandbox_dialect_delivers_a_clip(dialect, cast, board, queue, sandbox_account,
                                              sandbox):
    account = sandbox_account(dialect)
    job = queue.drive(submit_job(board(account), cast.editor, f"key-{dialect}"))
    assert job.state == "succeeded", job.failure_text
    assert job.remote_task_id and job.request_body
    clip = job.clips.get()
    assert abs(clip.seconds - 5) < 0.1
    assert clip.watermarked is False  # useapi: the clean master was preferred
    tasks = video_tasks(sandbox, dialect)
    assert [t.id for t in tasks] == [job.remote_task_id]  # exactly one paid task
    if dialect in ("kling", "cometapi"):
        assert job.request_body["external_task_id"] == str(job.id)
        assert tasks[0].external_task_id == str(job.id)


def test_a_double_submit_makes_one_job(cast, board, queue):
    b = board()
    first = submit_job(b, cast.editor, "same-key")
    second = submit_job(b, cast.editor, "same-key")
    assert first.pk == second.pk and Job.objects.count() == 1
    assert len(queue.tasks) == 1


def test_an_invalid_storyboard_is_refused_with_the_report(cast, board, queue):
    b = board(seconds=(9, 9))
    with pytest.raises(SubmitRefused) as refused:
        submit_job(b, cast.editor, "k")
    assert "total_seconds" in refused.value.report.codes()
    assert not Job.objects.exists() and not queue.tasks


def test_a_stale_page_cannot_submit(cast, board, queue):
    b = board()
    with pytest.raises(SubmitRefused, match="changed since this page was loaded"):
        submit_job(b, cast.editor, "k", version=b.version - 1 if b.version > 1 else 99)
    assert not Job.objects.exists()


def test_the_job_keeps_its_snapshot_when_the_storyboard_changes(cast, board, queue):
    b = board()
    job = submit_job(b, cast.editor, "k")
    b.shots.update(prompt="Something else entirely")
    job = queue.drive(job)
    assert [s["prompt"] for s in job.snapshot["shots"]] == ["A lighthouse at dusk",
                                                             "Waves on the rocks"]
    assert Clip.objects.filter(job=job).exists()


def test_apimart_gets_signed_public_links_to_the_references(cast, board, queue, settings,
                                                             sandbox_account):
    from library.media_factory import jpeg, upload

    from storyboard.boards.models import Slot
    from storyboard.library.actions import store_image_upload

    account = sandbox_account("apimart")
    b = board(account, prompts=("A lighthouse @image_1", "The lamp @image_1"))
    image = store_image_upload(cast.team_a, cast.editor, upload(jpeg(800, 600), "light.jpg"))
    Slot.objects.create(storyboard=b, name="image_1", image=image.item)
    settings.STORYBOARD_LOCAL_URL = ""
    with pytest.raises(SubmitRefused) as refused:  # no address a vendor could fetch from
        submit_job(b, cast.editor, "k0")
    assert "public_media_required" in refused.value.report.codes()
    settings.STORYBOARD_LOCAL_URL = "http://127.0.0.1:8000"  # what studio sets
    job = queue.drive(submit_job(b, cast.editor, "k1"))
    assert job.state == "succeeded", job.failure_text
    assert job.request_body["image_urls"][0].startswith(
        "http://127.0.0.1:8000/storyboards/media/")
