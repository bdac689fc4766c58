"""Settings come from the environment and fail loudly on values they cannot use."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storyboard.env import ImproperEnv, envbool, envint, envsecret, envurl

ROOT = Path(__file__).resolve().parents[2]


def test_envbool_reads_the_usual_spellings_and_names_a_bad_value(monkeypatch):
    monkeypatch.setenv("DEBUG", "Yes")
    assert envbool("DEBUG", False) is True
    monkeypatch.setenv("DEBUG", "0")
    assert envbool("DEBUG", True) is False
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperEnv, match="DEBUG='maybe'"):
        envbool("DEBUG", False)


def test_envint_refuses_words_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("Q_WORKERS", "four")
    with pytest.raises(ImproperEnv, match="Q_WORKERS='four': expected a whole number"):
        envint("Q_WORKERS", 2)
    monkeypatch.setenv("Q_WORKERS", "0")
    with pytest.raises(ImproperEnv, match="must be at least 1"):
        envint("Q_WORKERS", 2, minimum=1)


def test_envurl_wants_a_scheme_and_a_host(monkeypatch):
    monkeypatch.setenv("STORYBOARD_PUBLIC_BASE_URL", "media.example.com")
    with pytest.raises(ImproperEnv, match="STORYBOARD_PUBLIC_BASE_URL"):
        envurl("STORYBOARD_PUBLIC_BASE_URL")
    monkeypatch.setenv("STORYBOARD_PUBLIC_BASE_URL", "https://media.example.com/")
    assert envurl("STORYBOARD_PUBLIC_BASE_URL") == "https://media.example.com"


def test_a_secret_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    path = tmp_path / "secret_key"
    first = envsecret("SECRET_KEY", path)
    assert len(first) >= 50
    assert envsecret("SECRET_KEY", path) == first
    assert oct(path.stat().st_mode)[-3:] == "600"
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ImproperEnv, match="at least 32 characters"):
        envsecret("SECRET_KEY", path)


def _load_settings(tmp_path, **env):
    environment = {**os.environ, "STORYBOARD_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env={k: v for k, v in environment.items() if v is not None},
        capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "only sqlite:// and postgres://"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379'"),
        ({"Q_TIMEOUT": "300", "Q_RETRY": "200"}, "must be lower than Q_RETRY"),
        ({"DEBUG": "perhaps"}, "DEBUG='perhaps'"),
        ({"STORYBOARD_SANDBOX_URL": "127.0.0.1:8765"}, "STORYBOARD_SANDBOX_URL='127.0.0.1:8765'"),
        ({"STORYBOARD_SANDBOX_URL": "http://:8765"}, "expected the sandbox's root URL"),
        ({"STORYBOARD_ALLOW_ANY_SANDBOX": "sure"}, "STORYBOARD_ALLOW_ANY_SANDBOX='sure'"),
    ],
)
def test_the_project_refuses_to_start_with_a_bad_setting(tmp_path, env, message):
    result = _load_settings(tmp_path, DJANGO_SETTINGS_MODULE="storyboard.settings", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_fresh_checkout_starts_on_sqlite_in_wal_mode(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "print(connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(STORYBOARD_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="storyboard.settings")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["wal", "IMMEDIATE"], result.stderr
    assert (tmp_path / "secret_key").exists()
