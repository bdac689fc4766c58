"""Share links: review by people outside the team, without an account, of one clip, of a
storyboard's takes (every finished take of it and of its revisions, as its Takes page shows
them) or of a sequence's reel (the take each of its storyboards plays). The link's token is
stored hashed (like invitations), its password with Django's password hashers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from storyboard.boards.models import Storyboard
from storyboard.jobs.models import Clip
from storyboard.sequences.models import Sequence
from storyboard.teams.models import Team

GUEST_NAME_MAX = 80
EXPIRY_DAYS = (1, 3, 7, 14, 30)
DEFAULT_EXPIRY_DAYS = 14


class ShareLinkQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ShareLink(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="share_links")
    # What is shared: exactly one of a clip, a storyboard (its takes) and a sequence (its reel).
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="share_links")
    storyboard = models.ForeignKey(Storyboard, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="share_links")
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="share_links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    password_hash = models.CharField(max_length=128, blank=True)  # "": no password
    guests_may_decide = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(
            condition=(models.Q(clip__isnull=False, storyboard__isnull=True,
                                sequence__isnull=True)
                       | models.Q(clip__isnull=True, storyboard__isnull=False,
                                  sequence__isnull=True)
                       | models.Q(clip__isnull=True, storyboard__isnull=True,
                                  sequence__isnull=False)),
            name="share_link_shares_one_thing")]

    def __str__(self) -> str:
        return f"share link {self.pk} of {self.clip or self.storyboard or self.sequence}"

    @property
    def shares_takes(self) -> bool:
        """Several takes, each with its own page (a storyboard's, a reel's), not one clip."""
        return self.storyboard_id is not None or self.sequence_id is not None

    @property
    def shares_reel(self) -> bool:
        return self.sequence_id is not None

    @property
    def title(self) -> str:
        if self.sequence_id is not None:
            return self.sequence.title
        return self.storyboard.title if self.storyboard_id is not None else self.clip.job.title

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Guest(models.Model):
    """A name a guest entered on a link: the team's list counts them."""

    share = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(max_length=GUEST_NAME_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["share", "name"],
                                               name="one_guest_name_per_share")]

    def __str__(self) -> str:
        return f"{self.name} on {self.share}"
