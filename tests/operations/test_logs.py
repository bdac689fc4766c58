"""What an operator reads on the console: every line of a request carries its request id and
team, every line of a worker task its job and team, `LOG_FORMAT=json` writes one JSON object a
line, and no line carries a credential.

The redaction and context filters sit on the console *handler*, which pytest's caplog bypasses;
these tests build that handler from settings.LOGGING itself (or start a process with it), so a
filter dropped from the settings fails them as it would leave an operator's log unfiltered."""

from __future__ import annotations

import copy
import io
import json
import logging
import logging.config
import os
import re
import subprocess
import sys
import uuid

import httpx
import pytest
from django.conf import settings

from storyboard import logs
from storyboard.boards.models import Shot, Storyboard
from storyboard.jobs import worker
from storyboard.jobs.actions import submit_job
from storyboard.jobs.models import Job
from storyboard.providers.http import build_client
from storyboard.providers.registry import provider_for
from storyboard.teams.accounts import AccountInput, add_account

R = logs.REDACTED


def console_handler(stream, formatter: str) -> logging.Handler:
    """settings.LOGGING's console handler (its class, filters and the named formatter),
    writing into `stream` instead of standard error."""
    configurator = logging.config.DictConfigurator(copy.deepcopy(settings.LOGGING))
    config = configurator.config
    for name in list(config["formatters"]):
        config["formatters"][name] = configurator.configure_formatter(config["formatters"][name])
    for name in list(config["filters"]):
        config["filters"][name] = configurator.configure_filter(config["filters"][name])
    return configurator.configure_handler(
        {**config["handlers"]["console"], "formatter": formatter, "stream": stream})


class Console:
    def __init__(self, formatter: str):
        self.stream = io.StringIO()
        self.handler = console_handler(self.stream, formatter)

    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.text().splitlines()]


@pytest.fixture(params=["json"])
def console(request):
    """The console handler on the root logger, where settings.LOGGING puts it."""
    console = Console(request.param)
    root = logging.getLogger()
    level = root.level
    root.addHandler(console.handler)
    root.setLevel(logging.INFO)
    try:
        yield console
    finally:
        root.removeHandler(console.handler)
        root.setLevel(level)


@pytest.fixture
def fresh_process(monkeypatch):
    """The log filter as a process starts: it knows the configured secrets but has seen no
    credential yet (a worker process decrypts what the web process encrypted)."""
    monkeypatch.setattr(logs, "_known", {})
    monkeypatch.setattr(logs, "_known_pattern", None)
    monkeypatch.setattr(logs, "_settings_read", False)


def unique_credentials() -> dict[str, str]:
    # Fresh values each test: one test's remembered secret must not hide another's.
    # Not in a shape the filter knows (no sk- prefix): only remembering the value hides it.
    return {"access_key": f"ak-{uuid.uuid4().hex}",
            "secret_key": f"kling-secret-{uuid.uuid4().hex}"}


@pytest.fixture
def account(cast):
    """A vendor account saved the way Team settings saves one."""
    return add_account(cast.team_a, AccountInput("kling", "Studio Kling", unique_credentials()))


def forget_saved_secrets():
    """What the web process remembered on saving is not in the worker's memory."""
    logs._known.clear()
    logs._known_pattern = None


# --- requests ------------------------------------------------------------------------------

def test_djangos_not_found_line_and_the_access_line_carry_the_request_id_and_team(
        cast, client_for, console):
    response = client_for(cast.owner).get("/storyboards/999999/")
    assert response.status_code == 404
    lines = console.lines()
    warning = [line for line in lines if line["logger"] == "django.request"]
    access = [line for line in lines if line["logger"] == "storyboard.access"]
    assert [line["message"] for line in warning] == ["Not Found: /storyboards/999999/"]
    assert len(access) == 1 and access[0]["status"] == 404
    for line in warning + access:
        assert line["request_id"] == response["X-Request-ID"]
        assert line["team"] == cast.team_a.pk


def test_an_error_in_a_view_is_logged_with_its_request_and_without_the_credential_in_it(
        cast, client_for, account, console, fresh_process, monkeypatch):
    account.refresh_from_db()  # nothing decrypted yet in this "process"
    secret = None

    def failing_page(request, **extra):
        nonlocal secret
        secret = account.credentials()["secret_key"]
        raise RuntimeError(f"the vendor refused the key {secret}")

    monkeypatch.setattr("storyboard.library.views._page_context", failing_page)
    client = client_for(cast.owner)
    client.raise_request_exception = False
    response = client.get("/library/")
    assert response.status_code == 500
    [error] = [line for line in console.lines() if line["logger"] == "django.request"]
    assert error["level"] == "ERROR" and error["message"] == "Internal Server Error: /library/"
    assert error["request_id"] == response["X-Request-ID"] and error["team"] == cast.team_a.pk
    assert "RuntimeError: the vendor refused the key " + R in error["exception"]
    assert secret not in console.text()


@pytest.mark.parametrize("incoming", ["trace-42.a:b@c", "0af7651916cd43dd8448eb211c80319c"])
def test_a_plain_incoming_request_id_is_kept(db, client, console, incoming):
    response = client.get("/login/", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] == incoming
    assert [line["request_id"] for line in console.lines()] == [incoming]


@pytest.mark.parametrize("incoming", ["two words", "line\nbreak", "x" * 200, "nul\x00byte"])
def test_an_odd_incoming_request_id_is_replaced_by_a_new_one(db, client, console, incoming):
    response = client.get("/login/", headers={"X-Request-ID": incoming})
    given = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", given)
    assert [line["request_id"] for line in console.lines()] == [given]


def test_requests_get_ids_of_their_own(db, client, console):
    first, second = client.get("/login/"), client.get("/login/")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert [line["request_id"] for line in console.lines()] == [first["X-Request-ID"],
                                                               second["X-Request-ID"]]


FORGED = "2026-01-01 00:00:00,000 INFO storyboard.access [request_id=forged]: GET / 200"


def test_a_path_cannot_start_a_line_of_its_own_in_the_plain_log(db, client):
    console = Console("plain")
    logging.getLogger().addHandler(console.handler)
    try:
        response = client.get("/nothing%0A" + FORGED.replace(" ", "%20"))
    finally:
        logging.getLogger().removeHandler(console.handler)
    assert response.status_code == 404
    lines = console.text().splitlines()
    assert len(lines) == 2 and not any(line.startswith(FORGED[:19]) for line in lines)
    assert "GET /nothing\\n2026-01-01" in lines[0]


def test_a_json_line_stays_one_line_for_any_line_splitter(console):
    text = "odd\u2028line\u2029breaks\x85here\nand there"
    logging.getLogger("storyboard.tests.logs").info(text)
    [line] = console.lines()
    assert line["message"] == text


# --- worker tasks --------------------------------------------------------------------------

@pytest.fixture
def vendor(monkeypatch):
    """The worker's providers talk to `vendor.answer` instead of the network."""
    class Vendor:
        def answer(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(500, json={"code": 5000, "message": "not set up"})

    fake = Vendor()

    def provider_for_job(job, **kwargs):
        client = build_client(transport=httpx.MockTransport(lambda r: fake.answer(r)),
                              timeout=httpx.Timeout(5))
        return provider_for(job.account.as_provider_account(), client=client,
                            asset_cache=worker.AssetCache(job.account))

    monkeypatch.setattr(worker, "provider_for_job", provider_for_job)
    monkeypatch.setattr(worker, "async_task", lambda *args, **kwargs: None)
    monkeypatch.setattr("storyboard.jobs.actions.async_task", lambda *args, **kwargs: None)
    monkeypatch.setattr("storyboard.jobs.actions.transaction.on_commit", lambda fn: fn())
    return fake


def a_job(cast, account) -> Job:
    board = Storyboard.objects.create(team=cast.team_a, title="Coast", account=account,
                                      created_by=cast.editor)
    for position, (prompt, seconds) in enumerate([("A lighthouse at dusk", "2"),
                                                  ("Waves on the rocks", "3")]):
        Shot.objects.create(storyboard=board, position=position, prompt=prompt,
                            duration=seconds)
    return submit_job(board, cast.editor, "k")


def test_a_failed_create_is_logged_with_its_job_and_team_and_without_the_credentials(
        cast, account, vendor, console, fresh_process):
    job = a_job(cast, account)
    forget_saved_secrets()

    def refusing(request):
        # A vendor that repeats what it was sent, as some error pages do: the signed JWT
        # (Authorization: Bearer …) and the key it was signed with.
        secret = account.credentials()["secret_key"]
        return httpx.Response(401, json={"code": 1002, "message": (
            f"bad signature for {secret}; got {request.headers['authorization']}")})

    vendor.answer = refusing
    worker.submit_job_task(str(job.pk))
    job.refresh_from_db()
    assert job.state == "failed"
    logged = [line for line in console.lines() if line["logger"].startswith("storyboard.")]
    assert any("create failed" in line["message"] for line in logged), console.text()
    assert all(line["job"] == str(job.pk) and line["team"] == cast.team_a.pk
               for line in logged)
    text = console.text()
    for value in account.credentials().values():
        assert value not in text
    assert "eyJ" not in text and R in text


def test_a_poll_failing_in_the_sweeps_threads_names_its_job_and_not_the_credential(
        cast, account, vendor, console, fresh_process):
    job = a_job(cast, account)
    Job.objects.filter(pk=job.pk).update(state="submitted", remote_task_id="task-1",
                                         next_attempt_at=job.created_at)
    forget_saved_secrets()

    def broken(request):
        # An adapter bug, not a vendor error: the one kind the sweep logs with its traceback.
        raise RuntimeError(f"could not sign with {account.credentials()['secret_key']}")

    vendor.answer = broken
    worker.poll_due_jobs()
    [failed] = [line for line in console.lines() if "polling failed" in line["message"]]
    assert failed["job"] == str(job.pk) and failed["team"] == cast.team_a.pk
    assert "RuntimeError: could not sign with " + R in failed["exception"]
    assert account.credentials()["secret_key"] not in console.text()


# --- credentials in lines ------------------------------------------------------------------

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhay0xMjMifQ.Qw3rTy-signature-part"
SHAPES = [
    ("sending headers {'Authorization': 'Bearer t0k3n-abcdef-123456'}", "t0k3n-abcdef-123456"),
    ("Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
    (f"vendor answered 401 for Bearer {JWT}", "Qw3rTy-signature-part"),
    (f"token {JWT} expired", "eyJpc3MiOiJhay0xMjMifQ"),
    ("API token sbt_Sg6zAbCdEf0123456789xyz refused", "Sg6zAbCdEf0123456789xyz"),
    ("webhook signed with whsec_au0UTFWZcwJr9DBKnmoe", "au0UTFWZcwJr9DBKnmoe"),
    ("DATABASE_URL=postgres://app:Db-Pa55word@db.internal:5432/storyboard", "Db-Pa55word"),
    ("broker at redis://:r3dis-pa55@cache:6379/0 is down", "r3dis-pa55"),
    ("GET /s/Zq9-secret-share-token-0123/ 404", "Zq9-secret-share-token-0123"),
    ("POST body: csrfmiddlewaretoken=abc123abc123&username=ana&password=hunter2hunter2",
     "hunter2hunter2"),
]


@pytest.mark.parametrize("formatter", ["plain", "json"])
@pytest.mark.parametrize("line, secret", SHAPES)
def test_no_shape_of_credential_is_written(line, secret, formatter):
    console = Console(formatter)
    log = logging.getLogger("storyboard.tests.logs")
    log.addHandler(console.handler)
    try:
        log.warning(line)  # as the message,
        log.warning("request: %s", line)  # as an argument,
        log.warning("call failed", extra={"detail": line})  # as an extra field,
        try:
            raise ValueError(line)
        except ValueError:
            log.exception("unexpected")  # and in a traceback
    finally:
        log.removeHandler(console.handler)
    text = console.text()
    assert secret not in text
    assert text.count(R) >= 3  # message, argument and traceback; the extra field in json


def test_a_configured_secret_is_never_written(console, fresh_process):
    logging.getLogger("storyboard.tests.logs").error("settings: %r", settings.SECRET_KEY)
    assert settings.SECRET_KEY not in console.text() and R in console.text()


def test_ordinary_lines_are_written_as_they_are(console):
    logging.getLogger("storyboard.tests.logs").info("job %s: 2 of 3 clips, prompt %r", "1a2b",
                                                    "a token of thanks")
    [line] = console.lines()
    assert line["message"] == "job 1a2b: 2 of 3 clips, prompt 'a token of thanks'"


# --- the process as an operator starts it --------------------------------------------------

CHILD = """
import logging
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
# Static files straight from static/: this process has no collectstatic manifest.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from storyboard import logs
call_command("migrate", verbosity=0)
client = Client(HTTP_HOST="localhost")
client.get("/s/Zq9-secret-share-token-0123/", headers={"X-Request-ID": "trace-1"})
with logs.bound(job="0f0e-job", team=7):
    try:
        raise ValueError("two\\nlines")
    except ValueError:
        logging.getLogger("storyboard.jobs.worker").exception("job 0f0e: failed\\nbadly")
"""


def start(tmp_path, code: str, **env) -> subprocess.CompletedProcess:
    keep = {name: value for name, value in os.environ.items()
            if not name.startswith(("DATABASE_URL", "REDIS_URL", "LOG_", "STORYBOARD_"))}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
        timeout=120, env={**keep, "DJANGO_SETTINGS_MODULE": "storyboard.settings",
                          "STORYBOARD_VAR_DIR": str(tmp_path), **env})


def test_log_format_json_writes_one_object_a_line_with_the_context(tmp_path):
    started = start(tmp_path, CHILD, LOG_FORMAT="json")
    assert started.returncode == 0, started.stderr
    lines = [json.loads(line) for line in started.stderr.splitlines()]
    assert all(isinstance(line, dict) and {"time", "level", "logger", "message"} <= set(line)
               for line in lines)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
               for line in lines)
    request = [line for line in lines if line.get("request_id") == "trace-1"]
    assert {line["logger"] for line in request} == {"django.request", "storyboard.access"}
    assert all("Zq9-secret" not in json.dumps(line) for line in lines)
    [job] = [line for line in lines if line.get("job")]
    assert (job["job"], job["team"], job["level"]) == ("0f0e-job", 7, "ERROR")
    assert job["message"] == "job 0f0e: failed\nbadly"
    assert job["exception"].endswith("ValueError: two\nlines")
    assert "request_id" not in job


def test_log_format_plain_puts_the_context_in_brackets(tmp_path):
    started = start(tmp_path, CHILD, LOG_FORMAT="plain")
    assert started.returncode == 0, started.stderr
    assert re.search(r" INFO storyboard\.access \[request_id=trace-1\]: "
                     r"GET /s/\[redacted\]/ 404 ", started.stderr)
    assert " ERROR storyboard.jobs.worker [team=7 job=0f0e-job]: job 0f0e: failed" \
        in started.stderr


@pytest.mark.parametrize("variable, value", [("LOG_FORMAT", "xml"), ("LOG_LEVEL", "loud")])
def test_an_unusable_log_setting_stops_the_start_naming_it(tmp_path, variable, value):
    started = start(tmp_path, "import django; django.setup()", **{variable: value})
    assert started.returncode != 0
    [last] = started.stderr.strip().splitlines()[-1:]
    assert f"{variable}={value!r}: expected " in last


def test_log_level_may_be_written_in_lower_case(tmp_path):
    started = start(tmp_path, "import django, logging; django.setup(); "
                    "logging.getLogger('storyboard').warning('shown'); "
                    "logging.getLogger('storyboard').info('hidden')", LOG_LEVEL="warning")
    assert started.returncode == 0, started.stderr
    assert "shown" in started.stderr and "hidden" not in started.stderr
