"""/healthz says whether the service works — database, poll sweep, broker, late jobs — to anyone,
without signing in, as JSON that names no team, job or host; 503 says what is wrong."""

from __future__ import annotations

import socket
import socketserver
import threading
from datetime import timedelta

import pytest
from authz import PUBLIC
from django.db import OperationalError
from django.utils import timezone

from storyboard.jobs import worker
from storyboard.jobs.models import Job
from storyboard.operations import health
from storyboard.operations.models import Heartbeat
from storyboard.operations.probe import serving


@pytest.fixture(autouse=True)
def _database_as_the_broker(settings):
    """The broker is django-q2's queue table unless a test names a Redis (CI's PostgreSQL pass
    exports REDIS_URL for the whole suite)."""
    settings.REDIS_URL = ""


def _sweep_ran(ago: float = 0) -> None:
    Heartbeat.objects.update_or_create(
        name=health.SWEEP, defaults={"at": timezone.now() - timedelta(seconds=ago)})


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _job(cast, *, state="submitted", due_ago: float, claimed=False) -> Job:
    now = timezone.now()
    return Job.objects.create(
        team=cast.team_a, submit_key=f"k{Job.objects.count()}", dialect="kling", model="o1",
        title="Secret project Falcon", snapshot={}, state=state, remote_task_id="task-1",
        next_attempt_at=now - timedelta(seconds=due_ago),
        claimed_until=now + timedelta(seconds=60) if claimed else None)


def test_the_route_is_public_in_the_authorization_walk(db, client):
    assert "healthz" in PUBLIC
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "Cache-Control" in response and "no-cache" in response["Cache-Control"]
    assert not response.cookies  # nothing stored for a probe


def test_all_well_answers_200_with_each_check(db, client):
    _sweep_ran(ago=5)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["problems"] == []
    assert body["database"] == {"ok": True}
    assert body["broker"] == {"ok": True, "kind": "database"}
    assert body["sweep"]["ok"] and 4 <= body["sweep"]["seconds_ago"] <= 30
    assert body["sweep"]["last_run"].endswith("Z")
    assert body["jobs"] == {"ok": True, "oldest_due_late_seconds": 0,
                            "late_after_seconds": health.JOBS_LATE_AFTER}


def test_a_poll_sweep_records_that_it_ran(db, client):
    assert client.get("/healthz").status_code == 503  # never ran yet
    worker.poll_due_jobs()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["sweep"]["seconds_ago"] <= 5


def test_a_sweep_that_never_ran_is_named(db, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["problems"] == ["sweep: the poll sweep has never run (is a worker running?)"]
    assert body["sweep"]["last_run"] is None


def test_a_stale_sweep_answers_503_naming_the_sweep(db, client):
    _sweep_ran(ago=health.SWEEP_STALE_AFTER + 60)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["sweep"]["ok"] is False and body["sweep"]["seconds_ago"] >= 180
    assert len(body["problems"]) == 1 and body["problems"][0].startswith(
        "sweep: the poll sweep last ran ")
    assert body["database"]["ok"] and body["broker"]["ok"]


def test_a_sweep_just_inside_two_minutes_is_fine(db, client):
    _sweep_ran(ago=health.SWEEP_STALE_AFTER - 10)
    assert client.get("/healthz").status_code == 200


def test_redis_not_answering_is_a_503_that_names_the_broker_but_not_its_address(
        db, client, settings):
    port = _closed_port()
    settings.REDIS_URL = f"redis://:hunter2secret@127.0.0.1:{port}/0"
    _sweep_ran()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"] == {"ok": False, "kind": "redis"}
    assert body["problems"] == ["broker: Redis does not answer"]
    text = response.content.decode()
    assert str(port) not in text and "hunter2secret" not in text and "127.0.0.1" not in text


class _Pong(socketserver.StreamRequestHandler):
    """Enough of Redis for a PING: the RESP3 greeting, +PONG to PING, +OK to anything else."""

    ANSWERS = {b"HELLO": b"%1\r\n+proto\r\n:3\r\n", b"PING": b"+PONG\r\n"}

    def handle(self):
        while line := self.rfile.readline():
            if not line.startswith(b"*"):
                continue
            words = [self._bulk() for _ in range(int(line[1:]))]
            self.wfile.write(self.ANSWERS.get(words[0].upper(), b"+OK\r\n"))

    def _bulk(self) -> bytes:
        size = int(self.rfile.readline()[1:])
        return self.rfile.read(size + 2)[:-2]


@pytest.fixture
def redis_that_answers():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Pong)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"redis://127.0.0.1:{server.server_address[1]}/0"
    server.shutdown()
    server.server_close()


def test_redis_that_answers_is_fine(db, client, settings, redis_that_answers):
    settings.REDIS_URL = redis_that_answers
    _sweep_ran()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["broker"] == {"ok": True, "kind": "redis"}


def test_the_oldest_due_job_says_how_late_it_is_and_no_more(cast, client):
    _sweep_ran()
    _job(cast, due_ago=40)
    _job(cast, due_ago=900, claimed=True)  # a worker holds it: being polled, not late
    response = client.get("/healthz")
    assert response.status_code == 200
    assert 40 <= response.json()["jobs"]["oldest_due_late_seconds"] <= 60
    text = response.content.decode()
    assert "Falcon" not in text and "Team A" not in text and "task-1" not in text


def test_a_job_left_waiting_past_the_limit_is_a_503(cast, client):
    _sweep_ran()
    job = _job(cast, state="queued", due_ago=health.JOBS_LATE_AFTER + 120)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["jobs"]["ok"] is False and body["jobs"]["oldest_due_late_seconds"] >= 420
    assert body["problems"][0].startswith("jobs: a due job has waited ")
    assert str(job.pk) not in response.content.decode()


def test_finished_jobs_are_never_late(cast, client):
    _sweep_ran()
    _job(cast, state="succeeded", due_ago=10_000)
    assert client.get("/healthz").json()["jobs"]["oldest_due_late_seconds"] == 0


class _DeadConnection:
    def cursor(self):
        raise OperationalError("could not connect to server: Connection refused")


def test_a_database_that_does_not_answer_is_a_503_and_the_rest_is_unknown(
        db, client, monkeypatch):
    monkeypatch.setattr(health, "connection", _DeadConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == {"ok": False}
    assert body["sweep"]["ok"] is None and body["jobs"]["ok"] is None
    assert body["broker"]["ok"] is None  # the database is the broker here
    assert body["problems"][0] == "database: does not answer"
    assert "Connection refused" not in response.content.decode()


def test_it_is_a_few_small_queries(db, client, django_assert_max_num_queries):
    _sweep_ran()
    with django_assert_max_num_queries(4):
        assert client.get("/healthz").status_code == 200


def test_only_get(db, client):
    assert client.post("/healthz").status_code == 405


def test_launchers_wait_for_the_database_not_for_the_first_sweep(db, client):
    """studio's tests, the load benchmark and the scale-out test start processes and wait on
    probe.serving: a fresh install (no sweep yet) is serving; a server without its database,
    or something else answering on the port, is not."""
    fresh = client.get("/healthz")
    assert fresh.status_code == 503 and serving(fresh.status_code, fresh.content)
    _sweep_ran()
    well = client.get("/healthz")
    assert well.status_code == 200 and serving(well.status_code, well.content)
    assert not serving(503, b'{"database": {"ok": false}}')
    assert not serving(200, b"ok")  # some other program on the port
    assert not serving(502, b'{"database": {"ok": true}}')  # a proxy with no upstream
