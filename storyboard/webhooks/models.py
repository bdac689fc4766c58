"""A team's webhook endpoints and every delivery made to them. The secret is encrypted at rest
like provider credentials (teams/crypto.py) and shown once, when the webhook is made."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from storyboard.teams.models import Team

URL_MAX = 500


class Event(models.TextChoices):
    CLIP_READY = "clip.ready", "clip.ready — a job succeeded and its clip is stored"
    JOB_FAILED = "job.failed", "job.failed — a job ended failed"
    CLIP_APPROVED = "clip.approved", "clip.approved — a reviewer approved a clip"
    RETAKE_REQUESTED = "retake.requested", "retake.requested — a reviewer asked for a retake"
    COMMENT_ADDED = "comment.added", "comment.added — a member or a guest commented on a clip"


# Sent by "Send a test event" only; nobody subscribes to it.
PING = "ping"


class Webhook(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhooks")
    url = models.CharField(max_length=URL_MAX)
    events = models.JSONField(default=list)  # a list of Event values
    secret_encrypted = models.TextField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url

    def secret(self) -> str:
        from storyboard.teams.crypto import decrypt_credentials

        return decrypt_credentials(self.secret_encrypted).get("secret", "")


class Delivery(models.Model):
    """One event for one webhook: the body exactly as sent (signed anew at each attempt, with
    that attempt's timestamp), and where its attempts stand. Its id is the event's `id` in the
    body and the X-Storyboard-Delivery header, so a receiver can drop a repeat."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32)
    # What happened, once per webhook ("job:<id>:succeeded"): a step the worker runs twice
    # does not send the event twice. Empty for test events.
    key = models.CharField(max_length=120, blank=True)
    payload = models.JSONField()
    body = models.TextField()  # the JSON text sent, byte for byte (UTF-8)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["webhook", "key"], condition=~Q(key=""),
                                               name="one_delivery_per_webhook_event")]
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["webhook", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook} ({self.status})"
