"""`manage.py backup` and `restore` on a real install in its own state directory (child
processes, as an operator runs them): a backup taken while another process keeps writing is one
consistent snapshot, and restoring it into a fresh state directory brings the data, the media
and the keys back; bad arguments exit 2, a database in place is kept unless --force, and on
PostgreSQL or S3 the commands point at pg_dump and bucket versioning."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SEED = """
import django; django.setup()
from storyboard.teams.actions import ensure_demo
from storyboard.teams.accounts import AccountInput, add_account
from storyboard.providers.sandbox import SANDBOX_CREDENTIALS
from storyboard.library.models import ReferenceImage
team, user = ensure_demo(password="backup-test-password")
add_account(team, AccountInput("kling", "Kling", dict(SANDBOX_CREDENTIALS["kling"])))
"""
WRITER = """
import sys, time, django; django.setup()
from pathlib import Path
from storyboard.teams.models import Team
stop, deadline = Path(sys.argv[1]), time.monotonic() + 60
for n in range(100000):
    if stop.exists() or time.monotonic() > deadline:
        break
    Team.objects.create(name=f"written {n:05d}")
"""
CHECK = """
import json, django; django.setup()
from storyboard.teams.models import ProviderAccount, Team
account = ProviderAccount.objects.get(label="Kling")
print(json.dumps({"teams": sorted(Team.objects.values_list("name", flat=True)),
                  "secret": account.credentials()["secret_key"]}))
"""


def _env(var_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL") and not k.startswith("STORYBOARD_")}
    env.update(STORYBOARD_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="storyboard.settings",
               PYTHONPATH=str(ROOT), **extra)
    return env


def _manage(var_dir, *args, **extra):
    return subprocess.run([sys.executable, "manage.py", *map(str, args)], cwd=ROOT,
                          env=_env(var_dir, **extra), capture_output=True, text=True,
                          timeout=180)


def _python(var_dir, code, *args):
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT,
                          env=_env(var_dir), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def install(tmp_path_factory):
    """A migrated install with a team, an encrypted account and a media file."""
    var_dir = tmp_path_factory.mktemp("install") / "var"
    assert _manage(var_dir, "migrate", "-v0").returncode == 0
    _python(var_dir, SEED)
    picture = var_dir / "media" / "library" / "1" / "frame.jpg"
    picture.parent.mkdir(parents=True)
    picture.write_bytes(b"\xff\xd8" + os.urandom(4096))
    return var_dir


def test_a_backup_taken_during_writes_restores_into_a_fresh_state_directory(install, tmp_path):
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(stop)], cwd=ROOT,
                              env=_env(install))
    try:
        deadline = time.monotonic() + 60
        db = install / "db.sqlite3"
        while True:  # wait until the writer is under way
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                written = conn.execute("SELECT count(*) FROM teams_team WHERE name LIKE "
                                       "'written %'").fetchone()[0]
            if written >= 20:
                break
            assert writer.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        made = _manage(install, "backup", "--out", tmp_path / "backup")
        still_writing = writer.poll() is None
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert made.returncode == 0, made.stderr
    assert still_writing  # the copy ran while the other process wrote
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["media"]["files"] == 1 and "credentials_key" in manifest["keys"]

    fresh = tmp_path / "fresh" / "var"
    restored = _manage(fresh, "restore", tmp_path / "backup")
    assert restored.returncode == 0, restored.stderr
    data = json.loads(_python(fresh, CHECK))
    written = [t for t in data["teams"] if t.startswith("written ")]
    assert len(written) >= 20
    # One snapshot: the writer's rows up to some point, none missing before it.
    assert written == [f"written {n:05d}" for n in range(len(written))]
    assert "Demo" in data["teams"]
    assert data["secret"]  # decrypted with the credentials key that came back
    picture = Path("media/library/1/frame.jpg")
    assert (fresh / picture).read_bytes() == (install / picture).read_bytes()
    with sqlite3.connect(fresh / "db.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_keeps_a_database_in_place_unless_forced(install, tmp_path):
    assert _manage(install, "backup", "--out", tmp_path / "b").returncode == 0
    refused = _manage(install, "restore", tmp_path / "b")
    assert refused.returncode == 1 and "--force" in refused.stderr
    forced = _manage(install, "restore", tmp_path / "b", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "kept at" in forced.stdout  # the media folder it replaced
    assert (install / "media" / "library" / "1" / "frame.jpg").is_file()


def test_bad_arguments_exit_2_naming_them(install, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    taken = _manage(install, "backup", "--out", tmp_path / "full")
    assert taken.returncode == 2 and "--out" in taken.stderr
    not_backup = _manage(tmp_path / "v", "restore", tmp_path / "full")
    assert not_backup.returncode == 2 and "manifest.json" in not_backup.stderr
    assert _manage(install, "backup", "--out", tmp_path / "ok").returncode == 0
    (tmp_path / "ok" / "db.sqlite3").write_bytes(b"damaged")
    damaged = _manage(tmp_path / "v2", "restore", tmp_path / "ok")
    assert damaged.returncode == 2 and "damaged" in damaged.stderr
    assert not (tmp_path / "v2" / "media").exists()  # nothing restored


def test_on_postgresql_and_s3_the_commands_point_at_their_own_tools(tmp_path):
    pg = _manage(tmp_path / "v", "backup", "--out", tmp_path / "o",
                 DATABASE_URL="postgres://u@127.0.0.1:1/none")
    assert pg.returncode == 1 and "pg_dump" in pg.stderr
    s3 = _manage(tmp_path / "v", "restore", tmp_path / "o", STORYBOARD_S3_BUCKET="clips")
    assert s3.returncode == 1 and "versioning" in s3.stderr
    assert not (tmp_path / "o").exists()
