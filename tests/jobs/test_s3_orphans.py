"""With media on S3 (moto's server, tests/s3_store.py), the hourly leftover sweep also deletes
objects no row names once they are older than its max age: what a killed process left. Every
kind of object the app stores through its real actions is kept (clips and posters, uploads and
thumbnails, element clips and voices, takes kept as reference videos, animatic previews,
sequence exports); fresh objects, objects outside the app's folders or the prefix, and an
object a row starts naming while the sweep lists are kept too."""

import contextlib
import json
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
import s3_store
from django.core.files.storage import storages
from django.utils import timezone
from jobs import test_s3_media
from jobs import test_worker_process as kill
from library.media_factory import (
    jpeg,
    make_image_element,
    make_video,
    upload,
    video_upload,
    wav_bytes,
)
from providers.sandbox_helpers import running

from storyboard.boards import convert, tasks
from storyboard.boards.actions import request_preview
from storyboard.boards.models import Preview
from storyboard.jobs.actions import submit_job
from storyboard.library.actions import ElementInput, create_element, store_image_upload
from storyboard.library.models import ReferenceImage
from storyboard.sequences.actions import clip_as_reference_video
from storyboard.sequences.exports import request_export
from storyboard.sequences.models import Sequence, SequenceEntry
from storyboard.storage import sweep_leftover_files

pytestmark = pytest.mark.s3

bucket = test_s3_media.bucket  # the fixture: this test's media in a fresh bucket

ORPHAN = "clips/1/killed-before-its-row.mp4"


def _later():
    """The clock of a sweep run 7 h from now: everything written so far is past the 6 h age."""
    return timezone.now() + timedelta(hours=7)


def _put(bucket, name: str, body: bytes = b"x", key: str | None = None) -> str:
    key = key or s3_store.key(name)
    s3_store.client().put_object(Bucket=bucket, Key=key, Body=body)
    return key


def _sweep(bucket, now=None) -> set[str]:
    """Runs the sweep; returns the keys it removed (and checks that it counted them)."""
    before = set(s3_store.objects(bucket))
    result = sweep_leftover_files(now=now)
    gone = before - set(s3_store.objects(bucket))
    assert result["objects_removed"] == len(gone)
    return gone


def _keeps(bucket, names: list[str]) -> None:
    """Every one of `names` is stored, and a sweep long after removes only the orphan."""
    assert names and all(names)
    orphan = _put(bucket, ORPHAN)
    stored = s3_store.objects(bucket)
    assert all(s3_store.key(n) in stored for n in names), (names, stored)
    assert _sweep(bucket, _later()) == {orphan}
    stored = s3_store.objects(bucket)
    assert all(s3_store.key(n) in stored for n in names), (names, stored)


def _animatic_clip(board, queue, cast):
    job = queue.drive(submit_job(board(None), cast.editor, "orphans"))
    assert job.state == "succeeded", job.failure_text
    return job.clips.get()


def test_an_old_orphan_is_removed_and_a_fresh_one_kept(bucket, cast, caplog):
    key = _put(bucket, ORPHAN)
    assert _sweep(bucket) == set()  # written just now: it may be a row's, still committing
    caplog.set_level("INFO", logger="storyboard.storage_sweep")
    assert _sweep(bucket, _later()) == {key}
    assert f"deleted {key}" in caplog.text
    assert "deleted 1 objects that no row names" in caplog.text


def test_objects_outside_the_prefix_or_the_apps_folders_are_untouched(bucket, cast):
    others = {_put(bucket, "", key=k) for k in (
        "clips/1/1.mp4", "media-old/clips/1/1.mp4", "backups/2024.tar", "media/notes.txt",
        "media/other/clips/1.mp4")}
    orphan = _put(bucket, ORPHAN)
    assert _sweep(bucket, _later()) == {orphan}
    assert others <= set(s3_store.objects(bucket))


def test_more_than_a_thousand_orphans_go_in_batches_of_at_most_a_thousand(bucket, cast):
    image = store_image_upload(cast.team_a, cast.editor, upload(jpeg(640, 480), "a.jpg")).item
    client = s3_store.client()
    orphans = {_put(bucket, f"library/{cast.team_a.pk}/orphan-{n:04d}.jpg") for n in range(1205)}
    batches = []
    events = storages["default"].connection.meta.client.meta.events
    record = lambda params, **_: batches.append(len(params["Delete"]["Objects"]))  # noqa: E731
    events.register("before-parameter-build.s3.DeleteObjects", record)
    try:
        assert _sweep(bucket, _later()) == orphans
    finally:
        events.unregister("before-parameter-build.s3.DeleteObjects", record)
    assert sorted(batches) == [205, 1000]
    left = s3_store.objects(bucket)
    assert all(s3_store.key(n) in left for n in image.storage_names())
    assert client.list_objects_v2(Bucket=bucket)["KeyCount"] == 3


def test_a_row_made_while_the_sweep_lists_keeps_its_object(bucket, cast):
    late = f"library/{cast.team_a.pk}/named-after-the-listing.jpg"
    late_key, orphan = _put(bucket, late), _put(bucket, ORPHAN)
    events = storages["default"].connection.meta.client.meta.events

    def a_row_names_it(**_):  # an upload committing its row between the listing and the delete
        if not ReferenceImage.objects.filter(file=late).exists():
            ReferenceImage.objects.create(
                team=cast.team_a, name="late.jpg", format="JPEG", width=1, height=1, file=late,
                thumb_256=late, thumb_768=late, byte_size=1, sha256="0" * 64)

    events.register("after-call.s3.ListObjectsV2", a_row_names_it)
    try:
        assert _sweep(bucket, _later()) == {orphan}
    finally:
        events.unregister("after-call.s3.ListObjectsV2", a_row_names_it)
    assert late_key in s3_store.objects(bucket)


def test_an_uploaded_image_and_its_thumbnails_are_kept(bucket, cast):
    image = store_image_upload(cast.team_a, cast.editor, upload(jpeg(800, 600), "a.jpg")).item
    _keeps(bucket, image.storage_names())


def test_an_uploaded_video_and_its_poster_are_kept(bucket, cast):
    _keeps(bucket, make_video(cast.team_a, cast.editor).storage_names())


def test_an_image_elements_images_are_kept(bucket, cast):
    element = make_image_element(cast.team_a, cast.editor, extras=1)
    images = element.current_version.ordered_images()
    assert len(images) == 2
    _keeps(bucket, [n for i in images for n in i.image.storage_names()])


def test_a_video_elements_clip_poster_and_voice_clip_are_kept(bucket, cast):
    element = create_element(cast.team_a, cast.editor, "video", ElementInput(
        name="Runner", tag="character", clip=video_upload(),
        voice_clip=upload(wav_bytes(6), "voice.wav", "audio/wav")))
    version = element.current_version
    assert version.voice_clip
    _keeps(bucket, [version.clip, version.poster, version.voice_clip])


def test_a_jobs_clip_and_poster_are_kept(bucket, cast, board, queue):
    clip = _animatic_clip(board, queue, cast)
    _keeps(bucket, [clip.file, clip.poster])


def test_a_take_kept_as_a_reference_video_is_kept(bucket, cast, board, queue):
    video = clip_as_reference_video(_animatic_clip(board, queue, cast), cast.editor)
    assert video.file.startswith("library/")
    _keeps(bucket, video.storage_names())


def test_a_storyboards_animatic_preview_is_kept(bucket, cast, board, monkeypatch):
    monkeypatch.setattr("storyboard.boards.tasks.transaction.on_commit", lambda fn: None)
    b = board(None)
    row = request_preview(b, convert.to_value(b), {})
    assert tasks.render_preview_task(row.pk) == "ready"
    row.refresh_from_db()
    _keeps(bucket, [row.file])


def test_a_sequence_export_and_the_animatic_it_rendered_are_kept(bucket, cast, board, queue):
    clip = _animatic_clip(board, queue, cast)
    untaken = board(None, title="Market")  # no take: the export renders its animatic
    sequence = Sequence.objects.create(team=cast.team_a, title="Scene 1")
    SequenceEntry.objects.create(sequence=sequence, storyboard=clip.job.storyboard, position=1)
    SequenceEntry.objects.create(sequence=sequence, storyboard=untaken, position=2)
    export = request_export(sequence, "otio", placeholders=True)
    assert export.state == "ready", export.failure_text
    placeholder = Preview.objects.get(storyboard=untaken)  # rendered by the export
    assert export.file.startswith("exports/") and placeholder.file.startswith("previews/")
    _keeps(bucket, [export.file, placeholder.file, clip.file, clip.poster])


# --- a real kill ---------------------------------------------------------------------------

# The worker keeping an animatic job's clip, killed once both objects are uploaded and before
# the transaction that records the clip begins: what a crash leaves on the store.
KILLED_WHILE_KEEPING = """
import os, signal, types, django; django.setup()
from storyboard.jobs import clips
from storyboard.jobs.models import Job
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
clips.transaction = types.SimpleNamespace(atomic=die)
clips.store_local_render(Job.objects.get(dialect="animatic"), {})
"""

KEEP_AGAIN = """
import json, django; django.setup()
from storyboard.jobs.clips import store_local_render
from storyboard.jobs.models import Job
clip = store_local_render(Job.objects.get(dialect="animatic"), {})
print(json.dumps([clip.file, clip.poster]))
"""

SWEEP_LATER = """
import json, django; django.setup()
from datetime import timedelta
from django.utils import timezone
from storyboard.storage import sweep_leftover_files
print(json.dumps(sweep_leftover_files(now=timezone.now() + timedelta(hours=7))))
"""


def _run(var_dir, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=kill.ROOT, env=kill._env(var_dir),
                          capture_output=True, text=True, timeout=120)


def test_what_a_worker_killed_while_keeping_a_clip_left_is_swept(tmp_path):
    var_dir = tmp_path / "var"
    with contextlib.ExitStack() as stack:
        bucket_name = stack.enter_context(s3_store.fresh_bucket())
        kill._EXTRA.update(s3_store.environment(bucket_name))
        stack.callback(kill._EXTRA.clear)
        with running(tmp_path / "sandbox") as sandbox:
            kill._script(var_dir, "setup", sandbox.url, "1")  # one job: an animatic

        killed = _run(var_dir, KILLED_WHILE_KEEPING)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        left = set(s3_store.objects(bucket_name))
        assert {k.rsplit(".", 1)[1] for k in left} == {"mp4", "jpg"}, left  # clip and poster

        kept = _run(var_dir, KEEP_AGAIN)  # the restarted worker keeps the clip again
        assert kept.returncode == 0, kept.stderr
        live = {s3_store.key(n) for n in json.loads(kept.stdout)}
        assert not live & left  # new names: the killed attempt's objects are in the way

        swept = _run(var_dir, SWEEP_LATER)
        assert swept.returncode == 0, swept.stderr
        assert json.loads(swept.stdout)["objects_removed"] == 2
        assert set(s3_store.objects(bucket_name)) == live
