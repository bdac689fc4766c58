"""Reference images and videos, Video Elements with their versions, and library shares.

Files live in Django's default storage under generated names (`library/<team>/<random>.<ext>`);
the user's file name is kept only as `name`, for display. Rows keep the storage names; deleting a
row through the actions removes its files.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from storyboard.library import limits
from storyboard.teams.models import Team


class Tag(models.TextChoices):
    CHARACTER = "character", "Character"
    ANIMAL = "animal", "Animal"
    PROP = "prop", "Prop"
    COSTUME = "costume", "Costume"
    SCENE = "scene", "Scene"
    EFFECT = "effect", "Effect"
    OTHERS = "others", "Others"


assert tuple(Tag.values) == limits.ELEMENT_TAGS


class ReferenceImage(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="reference_images")
    name = models.CharField(max_length=limits.DISPLAY_NAME_MAX)
    tag = models.CharField(max_length=16, choices=Tag.choices, blank=True)
    format = models.CharField(max_length=8)  # JPEG or PNG, decided by decoding
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file = models.CharField(max_length=200)  # storage name of the re-encoded image
    thumb_256 = models.CharField(max_length=200)
    thumb_768 = models.CharField(max_length=200)
    thumb_format = models.CharField(max_length=8, default="JPEG")
    byte_size = models.PositiveIntegerField()  # of the stored file
    # sha256 of the uploaded bytes: the same file uploaded twice is found before decoding.
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    kind = "image"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "sha256"], name="one_image_per_team_hash")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def content_type(self) -> str:
        return "image/jpeg" if self.format == "JPEG" else "image/png"

    @property
    def thumb_content_type(self) -> str:
        return "image/jpeg" if self.thumb_format == "JPEG" else "image/png"

    def storage_names(self) -> list[str]:
        return [self.file, self.thumb_256, self.thumb_768]


class ReferenceVideo(models.Model):
    """A reference video for the `@video_1` slot (feature or base), docs/rules.md §14: 3–10 s."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="reference_videos")
    name = models.CharField(max_length=limits.DISPLAY_NAME_MAX)
    tag = models.CharField(max_length=16, choices=Tag.choices, blank=True)
    container = models.CharField(max_length=8)  # MP4 or MOV
    codec = models.CharField(max_length=32)
    seconds = models.FloatField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    fps = models.FloatField()
    file = models.CharField(max_length=200)
    poster = models.CharField(max_length=200)
    byte_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    kind = "video"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "sha256"], name="one_video_per_team_hash")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def content_type(self) -> str:
        return "video/quicktime" if self.container == "MOV" else "video/mp4"

    def storage_names(self) -> list[str]:
        return [self.file, self.poster]


class Element(models.Model):
    """A reusable character, prop or place. What it looks like lives in its versions; editing
    adds a version, so whatever used an older one keeps it."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image element"
        VIDEO = "video", "Video element"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="elements")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    current_version = models.ForeignKey(
        "ElementVersion", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.current_version.name if self.current_version_id else f"element {self.pk}"


class VersionLocked(Exception):
    """An element version that a job used cannot change."""


class ElementVersion(models.Model):
    """One state of an element. Append-only: a saved version never changes, except that
    `lock()` stamps `locked_at` when a job first uses it (the jobs app calls it inside the
    transaction that freezes the job's snapshot). A locked version also blocks deleting its
    element."""

    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=limits.ELEMENT_NAME_MAX)
    tag = models.CharField(max_length=16, choices=Tag.choices)
    description = models.CharField(max_length=limits.ELEMENT_DESCRIPTION_MAX, blank=True)
    # Video elements: the clip (trimmed to 8 s), its poster frame and facts, an optional voice.
    clip = models.CharField(max_length=200, blank=True)
    poster = models.CharField(max_length=200, blank=True)
    clip_container = models.CharField(max_length=8, blank=True)
    clip_codec = models.CharField(max_length=32, blank=True)
    clip_seconds = models.FloatField(null=True, blank=True)
    clip_width = models.PositiveIntegerField(null=True, blank=True)
    clip_height = models.PositiveIntegerField(null=True, blank=True)
    clip_fps = models.FloatField(null=True, blank=True)
    voice_id = models.CharField(max_length=limits.VOICE_ID_MAX, blank=True)
    voice_clip = models.CharField(max_length=200, blank=True)
    voice_clip_type = models.CharField(max_length=40, blank=True)
    voice_seconds = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["element", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["element", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    def save(self, *args, **kwargs):
        changing = self.pk is not None and not self._state.adding
        if changing and set(kwargs.get("update_fields") or ()) != {"locked_at"}:
            raise VersionLocked(
                f"{self}: element versions never change; edit the element to add a version."
            )
        super().save(*args, **kwargs)

    def lock(self) -> None:
        """Mark this version as used by a job (idempotent)."""
        if self.locked_at is None:
            self.locked_at = timezone.now()
            self.save(update_fields=["locked_at"])

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def ordered_images(self) -> list[ElementImage]:
        return sorted(self.images.all(), key=lambda i: i.position)

    @property
    def frontal(self):
        first = next(iter(self.ordered_images()), None)
        return first.image if first else None

    @property
    def extras(self) -> list[ReferenceImage]:
        return [i.image for i in self.ordered_images()[1:]]

    def storage_names(self) -> list[str]:
        return [n for n in (self.clip, self.poster, self.voice_clip) if n]


class ElementImage(models.Model):
    """An image of an element version: position 0 is the frontal image, 1–3 extra angles."""

    version = models.ForeignKey(ElementVersion, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey(ReferenceImage, on_delete=models.PROTECT, related_name="uses")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="one_image_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.image} in {self.version} at {self.position}"


class LibraryShareQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class LibraryShare(models.Model):
    """`from_team` lets `to_team` see and use its elements, read-only, until revoked."""

    from_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="shares_given")
    to_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="shares_received")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    objects = LibraryShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_team", "to_team"], condition=models.Q(revoked_at__isnull=True),
                name="one_active_share_per_pair",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_team=models.F("to_team")), name="share_with_another_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_team} → {self.to_team}"
