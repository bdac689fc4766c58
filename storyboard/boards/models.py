"""Storyboards, their shots and their reference slots. The rules see a storyboard as the plain
value `storyboard.rules.Storyboard`; `boards/convert.py` turns one into the other."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from storyboard.library.models import ElementVersion, ReferenceImage, ReferenceVideo
from storyboard.teams.models import ProviderAccount, Team

MODELS = [("v3", "Kling 3.0 Omni (v3)"), ("o1", "Kling O1 (o1)")]
MODES = [("std", "Standard (720p)"), ("pro", "Pro (1080p)"), ("4k", "4K")]
ASPECT_RATIOS = [("16:9", "16:9 landscape"), ("9:16", "9:16 portrait"), ("1:1", "1:1 square"),
                 ("auto", "auto")]
ROLES = [("reference", "Reference"), ("first_frame", "First frame"), ("end_frame", "End frame")]
REFER_TYPES = [("feature", "Feature (style, camera, next shot)"), ("base", "Base (video to edit)")]
TITLE_MAX = 200
PROMPT_MAX = 20_000  # far above every target's limit: the rules report the target's own
PROVIDER_ID_MAX = 100  # a provider's own element id, as a batch file gives it


class Storyboard(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="storyboards")
    title = models.CharField(max_length=TITLE_MAX)
    # No account: the local animatic preview.
    account = models.ForeignKey(ProviderAccount, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="storyboards")
    model = models.CharField(max_length=4, choices=MODELS, default="v3")
    mode = models.CharField(max_length=8, choices=MODES, default="std")
    aspect_ratio = models.CharField(max_length=8, choices=ASPECT_RATIOS, default="16:9")
    multi_shot = models.BooleanField(default=True)
    prompt = models.TextField(blank=True, max_length=PROMPT_MAX)  # single shot / main prompt
    duration = models.CharField(max_length=16, default="5", blank=True)  # raw: the rules judge
    count = models.CharField(max_length=16, default="1", blank=True)
    audio = models.BooleanField(default=False)
    negative_prompt = models.TextField(blank=True, max_length=PROMPT_MAX)
    # Optimistic concurrency: every save names the version it started from.
    version = models.PositiveIntegerField(default=1)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="revisions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["team", "-updated_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("boards:detail", args=[self.pk])

    @property
    def dialect(self) -> str:
        return self.account.dialect if self.account_id else "animatic"


class Shot(models.Model):
    storyboard = models.ForeignKey(Storyboard, on_delete=models.CASCADE, related_name="shots")
    position = models.PositiveSmallIntegerField()
    prompt = models.TextField(blank=True, max_length=PROMPT_MAX)
    duration = models.CharField(max_length=16, default="3", blank=True)  # raw, like above

    class Meta:
        ordering = ["storyboard", "position", "id"]

    def __str__(self) -> str:
        return f"shot {self.position + 1} of {self.storyboard}"


@dataclass(frozen=True)
class ProviderElement:
    """What an element slot holding a provider's own element id (a batch file's `"u_…"`) has
    instead of a library item: the id alone, sent to the provider as is. It answers what the
    editor reads of a slot's item (a name, no library id, no picture)."""

    ref: str
    pk = None
    frontal = None

    @property
    def name(self) -> str:
        return self.ref


class Slot(models.Model):
    """One filled reference slot (`image_3`, `element_1`, `video_1`): a library image, video or
    element version, or (element slots) a provider's own element id."""

    storyboard = models.ForeignKey(Storyboard, on_delete=models.CASCADE, related_name="slots")
    name = models.CharField(max_length=12)
    image = models.ForeignKey(ReferenceImage, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="slots")
    video = models.ForeignKey(ReferenceVideo, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="slots")
    element_version = models.ForeignKey(ElementVersion, on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="slots")
    # An element the provider account already has, by its id: nothing of the library behind it.
    provider_element_id = models.CharField(max_length=PROVIDER_ID_MAX, blank=True, default="")
    role = models.CharField(max_length=12, choices=ROLES, default="reference")
    refer_type = models.CharField(max_length=8, choices=REFER_TYPES, default="feature")
    keep_original_sound = models.BooleanField(default=False)

    class Meta:
        ordering = ["storyboard", "name"]
        constraints = [
            models.UniqueConstraint(fields=["storyboard", "name"], name="one_slot_per_name"),
            models.CheckConstraint(
                condition=(models.Q(image__isnull=False, video__isnull=True,
                                    element_version__isnull=True, provider_element_id="")
                           | models.Q(image__isnull=True, video__isnull=False,
                                      element_version__isnull=True, provider_element_id="")
                           | models.Q(image__isnull=True, video__isnull=True,
                                      element_version__isnull=False, provider_element_id="")
                           | (models.Q(image__isnull=True, video__isnull=True,
                                       element_version__isnull=True)
                              & ~models.Q(provider_element_id=""))),
                name="slot_holds_exactly_one_item"),
        ]

    def __str__(self) -> str:
        return f"{self.name} of {self.storyboard}"

    @property
    def item(self):
        return (self.image or self.video or self.element_version
                or (ProviderElement(self.provider_element_id) if self.provider_element_id
                    else None))


class RateCard(models.Model):
    """A team's prices per second by target and mode, for the cost estimate before submitting.
    Owners edit it on Team settings; it starts empty and the editor says so."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="rate_card")
    unit = models.CharField(max_length=16, blank=True)  # "USD", "credits", … shown as typed
    # "dialect:model:mode" -> price per second as a decimal string ("0.084")
    prices = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"rate card of {self.team}"


class Preview(models.Model):
    """A rendered animatic of one state of a storyboard (`key` hashes that state), kept so an
    unchanged storyboard plays again without rendering. The worker renders it
    (boards/tasks.py): the row is asked for as `queued`, claimed as `rendering`, and ends
    `ready` (with its file) or `failed` (with what went wrong)."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    storyboard = models.ForeignKey(Storyboard, on_delete=models.CASCADE,
                                   related_name="previews")
    key = models.CharField(max_length=64)
    # Rows made before previews rendered in the worker all had their file: ready.
    state = models.CharField(max_length=10, choices=State.choices, default=State.READY)
    # What the worker renders: {"value": rules value as a dict, "images": slot -> storage name}
    request = models.JSONField(default=dict, blank=True)
    failure_text = models.CharField(max_length=500, blank=True)
    # Times the render was handed to the worker (a stalled one is handed out again, up to a
    # limit), and the claim of the attempt under way: only that attempt may finish the row.
    sends = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    file = models.CharField(max_length=200, blank=True)  # storage name, once ready
    seconds = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["storyboard", "key"], name="one_preview_per_state"),
        ]

    def __str__(self) -> str:
        return f"preview of {self.storyboard}"

    @property
    def is_final(self) -> bool:
        return self.state in (self.State.READY, self.State.FAILED)
