"""What happened, turned into deliveries. `emit` only writes Delivery rows and queues their
sending after commit: whatever an endpoint does, the job or review step that emitted the event
has already moved on (the sending is storyboard/webhooks/sending.py, in its own worker task)."""

from __future__ import annotations

import json
import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from storyboard.webhooks.models import PING, Delivery, Event, Webhook

log = logging.getLogger(__name__)


def page_url(path: str) -> str:
    """A page's address for a receiver: absolute under STORYBOARD_PUBLIC_BASE_URL when set."""
    return settings.STORYBOARD_PUBLIC_BASE_URL + path if settings.STORYBOARD_PUBLIC_BASE_URL \
        else path


def body_for(delivery_id, event: str, team, data: dict, occurred_at) -> dict:
    return {"id": str(delivery_id), "event": event,
            "occurred_at": occurred_at.isoformat().replace("+00:00", "Z"),
            "team": {"id": team.id, "name": team.name}, "data": data}


def serialize(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def queue_delivery(delivery_id) -> None:
    """Sends it soon in a worker task; under django-q2's `sync` option (the omni_batch
    command) it is left to the retry sweep instead, so nothing is sent inside a job's step."""
    if settings.Q_CLUSTER.get("sync"):
        return
    transaction.on_commit(lambda: async_task("storyboard.webhooks.sending.send_delivery",
                                             str(delivery_id)))


def emit(team_id: int, event: str, payload: dict, *, key: str = "") -> list[Delivery]:
    """One delivery of `event` to each active webhook of the team that asked for it. `key`
    names what happened, so that emitting it again adds nothing. Never raises: a problem here
    is logged and must not fail the step that emitted."""
    try:
        with transaction.atomic():
            return _emit(team_id, event, payload, key)
    except Exception:
        log.exception("webhook event %s of team %s not recorded", event, team_id)
        return []


def _emit(team_id, event, payload, key) -> list[Delivery]:
    hooks = [h for h in Webhook.objects.filter(team_id=team_id, active=True)
             .select_related("team") if event in h.events]
    made, occurred_at = [], timezone.now()
    for hook in hooks:
        delivery_id = uuid.uuid4()
        body = body_for(delivery_id, event, hook.team, payload, occurred_at)
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    id=delivery_id, webhook=hook, event=event, key=key[:120], payload=body,
                    body=serialize(body), next_attempt_at=occurred_at)
        except IntegrityError:  # this webhook already has this event
            continue
        queue_delivery(delivery.id)
        made.append(delivery)
    return made


def send_test_event(hook: Webhook) -> Delivery:
    occurred_at, delivery_id = timezone.now(), uuid.uuid4()
    body = body_for(delivery_id, PING, hook.team,
                    {"webhook": {"id": hook.id, "url": hook.url, "events": hook.events}},
                    occurred_at)
    delivery = Delivery.objects.create(id=delivery_id, webhook=hook, event=PING, payload=body,
                                       body=serialize(body), next_attempt_at=occurred_at)
    queue_delivery(delivery.id)
    return delivery


# --- the events of jobs and reviews --------------------------------------------------------

def job_changed(job, fields: dict) -> None:
    """Called with every write on a job's row (jobs/rows.py: save): a write that ends the job
    succeeded or failed emits clip.ready or job.failed."""
    from storyboard.jobs.models import State

    if fields.get("state") in (State.SUCCEEDED, State.FAILED):
        job_ended(job.pk, job.team_id)


def job_ended(job_id, team_id: int) -> None:
    from storyboard.jobs.models import Job, State

    if not Webhook.objects.filter(team_id=team_id, active=True).exists():
        return  # the common case costs one query
    job = Job.objects.select_related("storyboard").filter(pk=job_id).first()
    if job is None or job.state not in (State.SUCCEEDED, State.FAILED):
        return  # cancelled meanwhile: the write did not happen
    event = Event.CLIP_READY if job.state == State.SUCCEEDED else Event.JOB_FAILED
    emit(team_id, event, job_data(job), key=f"job:{job.pk}:{job.state}:{job.failure}")


def job_data(job) -> dict:
    board = job.storyboard
    return {
        "job": {"id": str(job.pk), "state": job.state, "title": job.title,
                "failure": job.failure or None, "failure_text": job.failure_text or None,
                "url": page_url(reverse("jobs:detail", args=[job.pk]))},
        "storyboard": {"id": board.pk, "title": board.title} if board else None,
        "clips": [clip_data(c) for c in job.clips.order_by("id")],
    }


def clip_data(clip) -> dict:
    return {"id": clip.pk, "url": page_url(reverse("gallery:clip", args=[clip.pk])),
            "seconds": clip.seconds, "width": clip.width, "height": clip.height}


def review_decided(decision) -> None:
    """Called when a review decision is recorded (review/actions.py)."""
    from storyboard.review.models import Decision

    if not Webhook.objects.filter(team_id=decision.team_id, active=True).exists():
        return
    clip = decision.clip
    approved = decision.kind == Decision.Kind.APPROVE
    data = {**job_data(clip.job), "clip": clip_data(clip),
            "decision": {"id": decision.pk, "kind": decision.kind, "note": decision.note or None,
                         "by": decision.decided_by.username if decision.decided_by else None,
                         "guest": decision.guest_name or None,
                         "revision_storyboard_id": decision.revision_id}}
    emit(decision.team_id, Event.CLIP_APPROVED if approved else Event.RETAKE_REQUESTED, data,
         key=f"decision:{decision.pk}")


def comment_added(comment) -> None:
    """Called when a member or a guest of a share link comments (review/actions.py)."""
    if not Webhook.objects.filter(team_id=comment.team_id, active=True).exists():
        return
    data = {"clip": clip_data(comment.clip),
            "comment": {"id": comment.pk, "seconds": comment.seconds, "shot": comment.shot,
                        "text": comment.text,
                        "by": comment.author.username if comment.author else None,
                        "guest": comment.guest_name or None}}
    emit(comment.team_id, Event.COMMENT_ADDED, data, key=f"comment:{comment.pk}")
