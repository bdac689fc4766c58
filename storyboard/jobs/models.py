"""Jobs: one paid (or local) generation of a frozen storyboard snapshot. The row is the truth —
the queue only carries job ids — so every worker task is safe to run twice (docs/architecture.md
§5–6)."""

from __future__ import annotations

import json
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from storyboard.boards.models import Storyboard
from storyboard.library.models import ElementVersion, ReferenceImage, ReferenceVideo
from storyboard.teams.models import ProviderAccount, Team


class State(models.TextChoices):
    QUEUED = "queued", "Queued"
    SUBMITTING = "submitting", "Submitting"
    SUBMITTED = "submitted", "Submitted"
    PROCESSING = "processing", "Processing"
    DOWNLOADING = "downloading", "Downloading"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINAL = frozenset({State.SUCCEEDED, State.FAILED, State.CANCELLED})
IN_FLIGHT = frozenset({State.SUBMITTING, State.SUBMITTED, State.PROCESSING, State.DOWNLOADING})


class Failure(models.TextChoices):
    MODERATION = "moderation", "Refused by content moderation"
    REJECTED = "rejected", "Rejected by the provider"
    AUTHENTICATION = "authentication", "Authentication failed"
    CREDITS = "credits", "Out of credits or quota"
    PROVIDER_ERROR = "provider_error", "Provider error"
    UNAVAILABLE = "unavailable", "A reference is no longer available"
    TIMED_OUT = "timed_out", "Timed out"
    LOST = "lost", "Lost"


class Wait(models.TextChoices):
    """What an unfinished job waits for, so its card can say so instead of a bare state
    (jobs/waits.py writes the words; docs/jobs.md says what each means and who wakes it)."""

    NONE = "", "Nothing"
    WORKER = "worker", "The worker to pick it up"
    CAPACITY = "capacity", "A free slot on its account"
    ELEMENT = "element", "An element being created on the provider"
    VENDOR = "vendor", "The provider to accept it"
    LOOKUP = "lookup", "A lookup of a create whose answer was lost"
    DOWNLOAD = "download", "Its clip to download"


def _secret() -> str:
    return secrets.token_urlsafe(24)


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="jobs")
    storyboard = models.ForeignKey(Storyboard, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="jobs")
    account = models.ForeignKey(ProviderAccount, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    # A double click or a repeated POST carries the same key: one job.
    submit_key = models.CharField(max_length=64)
    dialect = models.CharField(max_length=16)
    model = models.CharField(max_length=4)
    title = models.CharField(max_length=200)
    # The storyboard as submitted (rules value dict) and which library item fills each slot.
    snapshot = models.JSONField()
    slot_sources = models.JSONField(default=dict)  # also as rows: JobSource
    planned_seconds = models.PositiveIntegerField(default=0)
    # Every prompt of the snapshot in one column, for the gallery's text search.
    prompt_text = models.TextField(blank=True)
    request_body = models.JSONField(null=True, blank=True)  # exactly what was sent
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    failure = models.CharField(max_length=16, choices=Failure.choices, blank=True)
    failure_text = models.TextField(blank=True)  # for people
    provider_text = models.TextField(blank=True)  # the provider's own words
    needs_attention = models.BooleanField(default=False)
    remote_task_id = models.CharField(max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    credits = models.FloatField(null=True, blank=True)
    # The rate card's estimate when it was submitted (in the card's unit), so a month's spend is
    # a sum; null when the card had no price for it (storyboard/jobs/spending.py).
    estimated_cost = models.DecimalField(max_digits=16, decimal_places=6, null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    poll_errors = models.PositiveSmallIntegerField(default=0)
    # Recoveries a job gets once (jobs/recovery.py): the vendor had forgotten elements or
    # uploads we cached and they were made again; a lost create was sent again.
    elements_recreated = models.BooleanField(default=False)
    uploads_redone = models.BooleanField(default=False)
    create_resent = models.BooleanField(default=False)
    # Lookups of the create whose answer was lost (bounded), and how often a worker stopped
    # in the middle of submitting (bounded too: no job stays in Submitting forever).
    create_lookups = models.PositiveSmallIntegerField(default=0)
    stalls = models.PositiveSmallIntegerField(default=0)
    callback_secret = models.CharField(max_length=64, default=_secret)
    # When the create call went out: a crash after this point must look the task up, not
    # send it again.
    create_sent_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)  # a worker holds the row
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # next submit or poll
    # What the job waits for now, in words for its card ("Waiting for a free slot on Studio
    # Kling: 4 of 4 busy"), since when, and until when where the end is known (a Retry-After).
    wait = models.CharField(max_length=12, choices=Wait.choices, blank=True, default=Wait.NONE)
    waiting_for = models.CharField(max_length=300, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    waiting_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    result_files = models.JSONField(default=list, blank=True)  # what the provider returned

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["team", "submit_key"],
                                               name="one_job_per_submit_key")]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["team", "-created_at"]),
            models.Index(fields=["account", "state"]),
            # The jobs of an account waiting for a slot or an element, oldest first.
            models.Index(fields=["account", "wait", "created_at"],
                         name="jobs_waiting_by_account"),
        ]

    def __str__(self) -> str:
        return f"job {self.short_id} ({self.state})"

    @property
    def short_id(self) -> str:
        return str(self.id)[:8]

    @property
    def is_final(self) -> bool:
        return self.state in FINAL

    @property
    def request_body_json(self) -> str:
        """What was sent, as formatted JSON (the pages show it and copy it)."""
        if not self.request_body:
            return ""
        return json.dumps(self.request_body, indent=2, ensure_ascii=False)

    @property
    def target_label(self) -> str:
        if self.dialect == "animatic":
            return "Local preview (animatic)"
        label = self.account.label if self.account_id and self.account else self.dialect
        return f"{label} · {self.model}"


class JobSource(models.Model):
    """What fills one slot of a job, as a real row: the database refuses to delete an image, a
    video or an element version a job refers to (PROTECT), and "where used" is a query.

    A finished job lets go of its images and videos when they are deleted (its clips are made;
    library/actions.py removes those rows first), and of another team's element when that team
    deletes it or stops sharing: nothing of the owner's is held by another team's history."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="sources")
    slot = models.CharField(max_length=16)
    image = models.ForeignKey(ReferenceImage, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="job_sources")
    video = models.ForeignKey(ReferenceVideo, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="job_sources")
    element_version = models.ForeignKey(ElementVersion, on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="job_sources")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="one_source_per_job_slot"),
            models.CheckConstraint(
                condition=(models.Q(image__isnull=False, video__isnull=True,
                                    element_version__isnull=True)
                           | models.Q(image__isnull=True, video__isnull=False,
                                      element_version__isnull=True)
                           | models.Q(image__isnull=True, video__isnull=True,
                                      element_version__isnull=False)),
                name="job_source_holds_one_item"),
        ]

    def __str__(self) -> str:
        return f"{self.slot} of {self.job}"


class Clip(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="clips")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="clips")
    file = models.CharField(max_length=200)
    poster = models.CharField(max_length=200, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    seconds = models.FloatField()
    fps = models.FloatField(null=True, blank=True)
    byte_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    watermarked = models.BooleanField(default=False)
    source_url = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"clip of {self.job}"


class RemoteElement(models.Model):
    """An element version created on a provider account: created once, reused by later jobs."""

    element_version = models.ForeignKey(ElementVersion, on_delete=models.CASCADE,
                                        related_name="remote_ids")
    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="+")
    remote_id = models.CharField(max_length=120, blank=True)
    creation_task = models.CharField(max_length=120, blank=True)  # kling creates as a task
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["element_version", "account"],
                                               name="one_remote_element_per_account")]

    def __str__(self) -> str:
        return f"{self.element_version} on {self.account}: {self.remote_id or 'pending'}"


class UploadedAsset(models.Model):
    """A file uploaded to a provider (useapi `POST /assets`), by content hash and account."""

    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="+")
    sha256 = models.CharField(max_length=80)
    url = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "sha256"],
                                               name="one_upload_per_account_file")]

    def __str__(self) -> str:
        return f"upload {self.sha256[:12]} on {self.account}"
