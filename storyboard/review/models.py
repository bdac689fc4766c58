"""Review: decisions on clips (with their history), time-coded comments, per-user favourites,
and the storyboard revisions a retake opened."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from storyboard.boards.models import Storyboard
from storyboard.jobs.models import Clip
from storyboard.teams.models import Team

COMMENT_MAX = 2000
NOTE_MAX = 2000


class ReviewState(models.TextChoices):
    AWAITING = "awaiting", "Awaiting review"
    APPROVED = "approved", "Approved"
    RETAKE = "retake", "Retake requested"


class ClipReview(models.Model):
    """The current decision on a clip, one row per decided clip (no row: awaiting review). Kept
    beside the history so the gallery's filter and the queue are a join on the clip's key (no
    index on the state on purpose: walking the clips in date order and looking each up is the
    plan that stays fast)."""

    clip = models.OneToOneField(Clip, on_delete=models.CASCADE, primary_key=True,
                                related_name="review")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=ReviewState.choices)
    decision = models.ForeignKey("Decision", on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.clip}: {self.state}"


class Decision(models.Model):
    """One decision, never changed afterwards: the history a clip's review page shows."""

    class Kind(models.TextChoices):
        APPROVE = "approve", "Approved"
        RETAKE = "retake", "Retake requested"

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="decisions")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.TextField(blank=True, max_length=NOTE_MAX)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    # A guest of a share link (storyboard/shares) decided: decided_by stays empty.
    guest_name = models.CharField(max_length=80, blank=True)
    share = models.ForeignKey("shares.ShareLink", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="decisions")
    # A retake opens a new revision of the storyboard; its editor finds the note through this.
    revision = models.ForeignKey(Storyboard, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="retake_decisions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.clip}"


class Comment(models.Model):
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="comments")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    seconds = models.FloatField()  # time code in the clip
    shot = models.PositiveSmallIntegerField()  # 1-based shot of the plan at that time
    text = models.TextField(max_length=COMMENT_MAX)
    # A guest of a share link (storyboard/shares) wrote it: author stays empty.
    guest_name = models.CharField(max_length=80, blank=True)
    share = models.ForeignKey("shares.ShareLink", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="comments")
    # Shapes drawn on the frame at `seconds`, as vector data checked by review/drawing.py
    # (never an image); empty when the comment has no drawing.
    drawing = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seconds", "id"]

    def __str__(self) -> str:
        return f"comment at {self.seconds:.1f} s on {self.clip}"


class Favourite(models.Model):
    """A user's star on a clip: personal, never shared with the team."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "clip"],
                                               name="one_favourite_per_user_clip")]

    def __str__(self) -> str:
        return f"{self.user} ★ {self.clip}"
