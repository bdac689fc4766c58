"""Every secret setting may come from a file named by <NAME>_FILE (container secrets):
SECRET_KEY, STORYBOARD_CREDENTIALS_KEY, DATABASE_URL, REDIS_URL and the S3 keys. A bad file is
refused at start with a message naming the variable, and a secret is never echoed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storyboard import env
from storyboard.env import ImproperEnv

ROOT = Path(__file__).resolve().parents[2]
KEY = "k" * 40


@pytest.fixture
def secret_file(tmp_path):
    def write(text: str | bytes, name: str = "secret") -> str:
        path = tmp_path / name
        (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
        return str(path)
    return write


@pytest.fixture
def clean(monkeypatch):
    for name in ("DEMO_SECRET", "DEMO_SECRET_FILE", "DEMO_URL", "DEMO_URL_FILE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_value_comes_from_the_file_without_its_trailing_newline(clean, secret_file):
    clean.setenv("DEMO_SECRET_FILE", secret_file("the value from the store\n"))
    assert env.envstr("DEMO_SECRET", from_file=True) == "the value from the store"
    assert env.secret_source("DEMO_SECRET") == "file"
    # Settings that are not secrets do not look for a file.
    assert env.envstr("DEMO_SECRET", "default") == "default"


def test_both_the_variable_and_its_file_are_refused_naming_both(clean, secret_file):
    clean.setenv("DEMO_SECRET", "from the environment")
    clean.setenv("DEMO_SECRET_FILE", secret_file("from the file"))
    with pytest.raises(ImproperEnv, match="DEMO_SECRET and DEMO_SECRET_FILE are both set"):
        env.envstr("DEMO_SECRET", from_file=True)


@pytest.mark.parametrize("content, message", [
    ("", "the file is empty"), ("\n  \n", "the file is empty"),
    (b"\xff\xfe\x00bad", "the file is not UTF-8 text")])
def test_a_file_that_holds_no_usable_value_is_refused(clean, secret_file, content, message):
    path = secret_file(content)
    clean.setenv("DEMO_SECRET_FILE", path)
    with pytest.raises(ImproperEnv) as refused:
        env.envstr("DEMO_SECRET", from_file=True)
    assert str(refused.value) == f"DEMO_SECRET_FILE={path!r}: {message}"


def test_a_missing_file_says_it_cannot_be_read(clean, tmp_path):
    clean.setenv("DEMO_SECRET_FILE", str(tmp_path / "nope"))
    with pytest.raises(ImproperEnv, match=r"DEMO_SECRET_FILE=.*nope': the file cannot be read "
                                          r"\(No such file or directory\)"):
        env.envstr("DEMO_SECRET", from_file=True)


def test_a_bad_url_never_shows_its_password(clean, secret_file):
    clean.setenv("DEMO_URL_FILE", secret_file("ftp://app:hunter2-password@db.internal/x"))
    with pytest.raises(ImproperEnv) as from_file:
        env.envurl("DEMO_URL", schemes=("postgres",), from_file=True)
    assert "hunter2" not in str(from_file.value)
    assert str(from_file.value).startswith("DEMO_URL_FILE: expected a URL starting with")
    clean.delenv("DEMO_URL_FILE")
    clean.setenv("DEMO_URL", "ftp://app:hunter2-password@db.internal/x")
    with pytest.raises(ImproperEnv) as from_env:
        env.envurl("DEMO_URL", schemes=("postgres",), from_file=True)
    assert "hunter2" not in str(from_env.value)
    assert "ftp://app:***@db.internal/x" in str(from_env.value)


def test_keys_are_checked_each_on_its_own(clean, secret_file, tmp_path):
    clean.setenv("DEMO_SECRET_FILE", secret_file(f"{KEY}, {'n' * 35}\n"))
    assert env.envsecret("DEMO_SECRET", tmp_path / "gen", several=True) == f"{KEY},{'n' * 35}"
    clean.setenv("DEMO_SECRET_FILE", secret_file(f"{KEY},short", "two"))
    with pytest.raises(ImproperEnv, match=r"DEMO_SECRET_FILE=.*two': key 2 of 2 must be at "
                                          r"least 32 characters long \(got 5\)"):
        env.envsecret("DEMO_SECRET", tmp_path / "gen", several=True)
    assert not (tmp_path / "gen").exists()  # nothing generated when a value was given


# --- the settings themselves, in a child process as a server would start ---------------

def _django(tmp_path, extra_env: dict, code: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if not k.endswith("_FILE") and k not in (
                   "SECRET_KEY", "STORYBOARD_CREDENTIALS_KEY", "DATABASE_URL", "REDIS_URL")}
    environ.update(STORYBOARD_VAR_DIR=str(tmp_path / "var"),
                   DJANGO_SETTINGS_MODULE="storyboard.settings", **extra_env)
    return subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code],
                          cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)


def test_the_server_reads_its_secrets_and_database_from_files(tmp_path, secret_file):
    database = tmp_path / "from-file.sqlite3"
    files = {"SECRET_KEY_FILE": secret_file("s" * 50 + "\n", "secret_key"),
             "STORYBOARD_CREDENTIALS_KEY_FILE": secret_file(KEY + "\n", "credentials_key"),
             "DATABASE_URL_FILE": secret_file(f"sqlite:///{database}\n", "database_url")}
    code = ("from django.conf import settings\n"
            "from storyboard.teams.crypto import encrypt_credentials, decrypt_credentials\n"
            "print(settings.SECRET_KEY == 's' * 50, settings.DATABASES['default']['NAME'])\n"
            "print(encrypt_credentials({'api_key': 'abc'}))\n")
    started = _django(tmp_path, files, code)
    assert started.returncode == 0, started.stderr
    same_key, name, token = started.stdout.split()
    assert same_key == "True" and name == str(database)
    # The token was made with the file's key: this process, configured with it, reads it.
    from django.test import override_settings

    from storyboard.teams.crypto import decrypt_credentials
    with override_settings(STORYBOARD_CREDENTIALS_KEY=KEY):
        assert decrypt_credentials(token) == {"api_key": "abc"}
    # Nothing was generated into the state directory: the secrets came from the files.
    assert not (tmp_path / "var" / "secret_key").exists()
    assert not (tmp_path / "var" / "credentials_key").exists()


def test_a_bad_secret_file_stops_the_start_with_its_name(tmp_path, secret_file):
    failed = _django(tmp_path, {"SECRET_KEY_FILE": secret_file("too short")}, "print('up')")
    assert failed.returncode != 0 and "up" not in failed.stdout
    assert "SECRET_KEY_FILE=" in failed.stderr
    assert "must be at least 32 characters long (got 9)" in failed.stderr
    assert "too short" not in failed.stderr  # the value itself is not shown


def test_the_broker_and_bucket_credentials_come_from_files_too(tmp_path, secret_file):
    files = {"REDIS_URL_FILE": secret_file("redis://:broker-pass@127.0.0.1:6379/3\n", "redis"),
             "STORYBOARD_S3_ACCESS_KEY_FILE": secret_file("AKIAFROMFILE\n", "access"),
             "STORYBOARD_S3_SECRET_KEY_FILE": secret_file("s3-secret-from-file\n", "s3secret"),
             "STORYBOARD_S3_BUCKET": "media-bucket"}
    code = ("from django.conf import settings\n"
            "options = settings.STORAGES['default']['OPTIONS']\n"
            "print(settings.REDIS_URL, options['access_key'], options['secret_key'])\n")
    started = _django(tmp_path, files, code)
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["redis://:broker-pass@127.0.0.1:6379/3", "AKIAFROMFILE",
                                      "s3-secret-from-file"]
