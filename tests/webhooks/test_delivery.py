"""A sandbox job that succeeds sends a signed clip.ready to the team's receiver, from a worker
task of its own: a receiver that fails or hangs is tried again with backoff and never holds up
the job."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from webhooks.receiver import receiving

from storyboard.jobs.actions import submit_job
from storyboard.jobs.models import Clip
from storyboard.review.actions import approve_clip, request_retake
from storyboard.webhooks import events, sending, signing
from storyboard.webhooks.actions import add_webhook, resend_delivery, send_test_event
from storyboard.webhooks.models import Delivery

ALL = ["clip.ready", "job.failed", "clip.approved", "retake.requested"]


def finished_job(queue, sandbox_account, board, cast, prompts=("A lighthouse at dusk",
                                                                "Waves on the rocks")):
    account = sandbox_account("kling")
    job = submit_job(board(account, prompts=prompts), cast.editor, "webhook-test")
    return queue.drive(job)


def verified(received, secret) -> dict:
    """What a receiver does: check the signature over the raw body, then parse it."""
    signing.verify(secret, received.body, received.headers.get("X-Storyboard-Timestamp"),
                   received.headers.get("X-Storyboard-Signature"))
    return json.loads(received.body)


def make_due():
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_receiver_on_loopback_gets_a_correctly_signed_clip_ready(
        cast, queue, sandbox_account, board, webhook_tasks, allow_local_receiver):
    with receiving() as receiver:
        hook, secret = add_webhook(cast.team_a, receiver.url, ALL)
        job = finished_job(queue, sandbox_account, board, cast)
        assert job.state == "succeeded"
        assert webhook_tasks.run_all() == ["delivered"]

    [got] = receiver.received
    assert got.path == "/hooks/storyboard"
    body = verified(got, secret)
    clip = Clip.objects.get(job=job)
    assert got.headers["X-Storyboard-Event"] == "clip.ready"
    assert got.headers["X-Storyboard-Delivery"] == body["id"]
    assert got.headers["Content-Type"] == "application/json"
    assert body["event"] == "clip.ready"
    assert body["team"] == {"id": cast.team_a.id, "name": "Team A"}
    assert body["data"]["job"]["id"] == str(job.id)
    assert body["data"]["job"]["state"] == "succeeded"
    assert body["data"]["storyboard"] == {"id": job.storyboard_id, "title": "Coast"}
    assert [c["id"] for c in body["data"]["clips"]] == [clip.id]
    assert body["data"]["clips"][0]["url"] == f"/gallery/clips/{clip.id}/"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == \
        ("delivered", 1, 200)
    with pytest.raises(signing.SignatureInvalid):  # and a receiver with another secret refuses
        verified(got, "whsec_someone-else")


def test_a_failed_job_sends_job_failed_with_its_failure(
        cast, queue, sandbox_account, board, webhook_tasks, allow_local_receiver):
    with receiving() as receiver:
        _, secret = add_webhook(cast.team_a, receiver.url, ["job.failed"])
        job = finished_job(queue, sandbox_account, board, cast,
                           prompts=("A lighthouse [sandbox:fail]", "Waves"))
        assert job.state == "failed"
        webhook_tasks.run_all()
    [got] = receiver.received
    body = verified(got, secret)
    assert body["event"] == "job.failed"
    assert body["data"]["job"]["failure"] == job.failure
    assert body["data"]["job"]["failure_text"] == job.failure_text
    assert body["data"]["clips"] == []


def test_a_webhook_gets_only_the_events_it_asked_for(cast, queue, sandbox_account, board,
                                                     webhook_tasks, allow_local_receiver):
    add_webhook(cast.team_a, "https://hooks.example.com/a", ["job.failed"])
    add_webhook(cast.team_b, "https://hooks.example.com/b", ALL)  # another team's
    finished_job(queue, sandbox_account, board, cast)
    assert not Delivery.objects.exists()
    assert webhook_tasks.ids == []


def test_the_same_job_end_written_twice_is_sent_once(cast, queue, sandbox_account, board,
                                                     webhook_tasks):
    add_webhook(cast.team_a, "https://hooks.example.com/a", ALL)
    job = finished_job(queue, sandbox_account, board, cast)
    events.job_ended(job.pk, job.team_id)  # a worker step delivered twice by the queue
    assert Delivery.objects.filter(event="clip.ready").count() == 1


def test_review_decisions_send_clip_approved_and_retake_requested(
        cast, queue, sandbox_account, board, webhook_tasks, allow_local_receiver):
    with receiving() as receiver:
        _, secret = add_webhook(cast.team_a, receiver.url, ["clip.approved",
                                                            "retake.requested"])
        job = finished_job(queue, sandbox_account, board, cast)
        clip = Clip.objects.get(job=job)
        approve_clip(clip, cast.reviewer)
        request_retake(clip, cast.reviewer, "Slower pan in shot 2")
        webhook_tasks.run_all()
    approved, retake = (verified(r, secret) for r in receiver.received)
    assert approved["event"] == "clip.approved"
    assert approved["data"]["clip"]["id"] == clip.id
    assert approved["data"]["decision"]["by"] == "rita"
    assert retake["event"] == "retake.requested"
    assert retake["data"]["decision"]["note"] == "Slower pan in shot 2"
    assert retake["data"]["decision"]["revision_storyboard_id"] is not None


def test_a_receiver_answering_500_is_tried_again_with_backoff_then_failed(
        cast, webhook_tasks, allow_local_receiver):
    with receiving(status=500) as receiver:
        hook, _ = add_webhook(cast.team_a, receiver.url, ALL)
        send_test_event(hook)
        webhook_tasks.run_all()
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == \
            ("pending", 1, 500)
        assert "500 Internal Server Error" in delivery.last_error
        waits = [delivery.next_attempt_at - delivery.last_attempt_at]
        for _ in range(5):
            make_due()
            assert sending.send_due_deliveries() == 1
            delivery.refresh_from_db()
            if delivery.next_attempt_at:
                waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
    assert [round(w.total_seconds() / 60) for w in waits] == [1, 5, 30, 120, 360]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 6, None)
    assert len(receiver.received) == 6
    make_due()
    assert sending.send_due_deliveries() == 0  # failed is final until someone sends it again


def test_a_receiver_that_does_not_answer_in_time_is_tried_again(
        cast, webhook_tasks, allow_local_receiver, monkeypatch):
    monkeypatch.setattr(sending, "SEND_TIMEOUT", 0.3)
    with receiving(hang_seconds=10) as receiver:
        hook, _ = add_webhook(cast.team_a, receiver.url, ALL)
        send_test_event(hook)
        started = time.monotonic()
        webhook_tasks.run_all()
        assert time.monotonic() - started < 3
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_error == "no answer within 0.3 s"
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=1)


def test_a_hanging_receiver_does_not_delay_the_job(cast, queue, sandbox_account, board,
                                                   webhook_tasks, allow_local_receiver):
    with receiving(hang_seconds=30) as receiver:
        add_webhook(cast.team_a, receiver.url, ALL)
        started = time.monotonic()
        job = finished_job(queue, sandbox_account, board, cast)
        took = time.monotonic() - started
        # The job is done; its event waits for a worker task of its own, untouched so far.
        assert job.state == "succeeded"
        assert receiver.received == []
        assert Delivery.objects.get().status == "pending"
        assert len(webhook_tasks.ids) == 1
    assert took < 25


def test_a_delivery_is_sent_again_with_the_same_id_and_a_fresh_signature(
        cast, webhook_tasks, allow_local_receiver, monkeypatch):
    with receiving() as receiver:
        hook, secret = add_webhook(cast.team_a, receiver.url, ALL)
        delivery = send_test_event(hook)
        webhook_tasks.run_all()
        monkeypatch.setattr(signing.time, "time", lambda: 2_000_000_000)
        resend_delivery(Delivery.objects.get(pk=delivery.pk))
        assert Delivery.objects.get().status == "pending"
        webhook_tasks.run_all()
    first, again = receiver.received
    assert first.body == again.body
    assert first.headers["X-Storyboard-Delivery"] == again.headers["X-Storyboard-Delivery"]
    assert again.headers["X-Storyboard-Timestamp"] == "2000000000"
    signing.verify(secret, again.body, again.headers["X-Storyboard-Timestamp"],
                   again.headers["X-Storyboard-Signature"], now=2_000_000_000)
    assert json.loads(first.body)["event"] == "ping"
    assert Delivery.objects.get().status == "delivered"


def test_without_the_setting_loopback_is_refused_at_send_time(cast, webhook_tasks, settings):
    with receiving() as receiver:
        settings.STORYBOARD_WEBHOOKS_ALLOW_LOOPBACK = True
        hook, _ = add_webhook(cast.team_a, receiver.url, ALL)
        settings.STORYBOARD_WEBHOOKS_ALLOW_LOOPBACK = False  # the operator turned it off
        send_test_event(hook)
        webhook_tasks.run_all()
        assert receiver.received == []
    delivery = Delivery.objects.get()
    assert delivery.status == "pending"
    assert "refused" in delivery.last_error and "loopback" in delivery.last_error


@pytest.mark.parametrize("resolved", ["10.0.0.5", "127.0.0.1", "169.254.169.254"])
def test_a_public_name_that_resolves_to_a_private_address_is_refused_at_connect_time(
        cast, webhook_tasks, monkeypatch, resolved):
    asked = []

    def resolve(host, port, *args, **kwargs):
        asked.append(host)
        return [(2, 1, 6, "", (resolved, port))]

    monkeypatch.setattr("socket.getaddrinfo", resolve)
    hook, _ = add_webhook(cast.team_a, "https://hooks.example.com/in", ALL)
    send_test_event(hook)
    webhook_tasks.run_all()
    delivery = Delivery.objects.get()
    assert asked == ["hooks.example.com"]
    assert f"resolves to {resolved}" in delivery.last_error
    assert "refused" in delivery.last_error


def test_a_redirect_is_not_followed(cast, webhook_tasks, allow_local_receiver):
    with receiving(status=302) as receiver:
        hook, _ = add_webhook(cast.team_a, receiver.url, ALL)
        send_test_event(hook)
        webhook_tasks.run_all()
        assert len(receiver.received) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code == 302
    assert "redirect" in delivery.last_error
