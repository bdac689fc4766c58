"""The kill test with media on S3: the real django-q2 cluster, killed with SIGKILL in the middle
of submitting, polling and downloading, then started again, with every process's media in a
fresh bucket on moto's server (their STORYBOARD_S3_* name it). Besides what the kill test checks
on a disk (every job final, exactly one remote task each), each clip's file is a whole object in
the bucket (the size and digest the clip recorded), its poster is there, no partial object was
kept, and what is left in the local state directory is only leftovers the sweep removes. In
the PostgreSQL + Redis pass of .ci/run in the scale-out shape (two workers, Redis as broker);
elsewhere on SQLite."""

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import time

import pytest
import s3_store
from jobs import test_worker_process as kill
from scale_out import SCALE_OUT, scale_out_environment

pytestmark = pytest.mark.s3

SWEEP = ("import django; django.setup();"
         "from storyboard.storage import sweep_leftover_files; sweep_leftover_files()")

CLIPS = ("import django, json; django.setup();"
         "from storyboard.jobs.models import Clip;"
         "print(json.dumps([[c.file, c.poster, c.byte_size, c.sha256]"
         " for c in Clip.objects.all()]))")


def test_killed_workers_with_media_on_s3_lose_nothing(tmp_path):
    with contextlib.ExitStack() as stack:
        bucket = stack.enter_context(s3_store.fresh_bucket())
        kill._EXTRA.update(s3_store.environment(bucket))
        stack.callback(kill._EXTRA.clear)
        workers = 1
        if SCALE_OUT:
            kill._EXTRA.update(stack.enter_context(scale_out_environment()))
            workers = 2
        kill._kill_and_restart(tmp_path, workers=workers)  # its own checks, as on a disk

        var_dir = tmp_path / "var"
        listed = subprocess.run([sys.executable, "-c", CLIPS], cwd=kill.ROOT,
                                env=kill._env(var_dir), capture_output=True, text=True,
                                timeout=60)
        assert listed.returncode == 0, listed.stderr
        clips = json.loads(listed.stdout)
        stored = s3_store.objects(bucket)
        assert len(clips) == kill.JOBS
        s3 = s3_store.client()
        for file, poster, byte_size, sha256 in clips:
            assert stored.get(s3_store.key(file)) == byte_size, (file, stored)
            body = s3.get_object(Bucket=bucket, Key=s3_store.key(file))["Body"].read()
            assert hashlib.sha256(body).hexdigest() == sha256
            assert stored.get(s3_store.key(poster), 0) > 0, poster

        # What the kills left locally (a download or a render cut short) is only leftovers
        # the hourly sweep knows: once old enough, it removes every one of them.
        scratch = [p for p in (var_dir / "incoming").rglob("*") if p.is_file()]
        long_ago = time.time() - 7 * 3600
        for path in scratch:
            os.utime(path, (long_ago, long_ago))
        swept = subprocess.run([sys.executable, "-c", SWEEP], cwd=kill.ROOT,
                               env=kill._env(var_dir), capture_output=True, text=True,
                               timeout=60)
        assert swept.returncode == 0, swept.stderr

    assert [k for k in stored if ".part" in k or ".incoming-" in k] == []
    assert [p for p in scratch if p.exists()] == []
