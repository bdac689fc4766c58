"""SequenceExport: one built export (MP4, ZIP or timeline file) of one state of a sequence.

The key hashes what the file depends on (the sequence, its version, the chosen takes, the
placeholder flag and the format), so an unchanged sequence downloads the stored file again and
any change asks for a new build. Large exports are built by the worker (sequences/exports.py);
the row carries its progress in frames for the download page's bar."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SequenceExport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Format(models.TextChoices):
        MP4 = "mp4", "MP4 of the cut"
        ZIP = "zip", "ZIP for an editor (clips and timelines)"
        OTIO = "otio", "OpenTimelineIO (.otio)"
        FCPXML = "fcpxml", "Final Cut Pro X (.fcpxml)"
        EDL = "edl", "CMX 3600 EDL (.edl)"

    sequence = models.ForeignKey("sequences.Sequence", on_delete=models.CASCADE,
                                 related_name="exports")
    key = models.CharField(max_length=64)
    format = models.CharField(max_length=8, choices=Format.choices)
    placeholders = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)  # progress: frames (or files) done of total
    total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    file = models.CharField(max_length=200, blank=True)  # storage name, once ready
    failure_text = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["sequence", "key"],
                                               name="one_export_per_sequence_state")]

    def __str__(self) -> str:
        return f"{self.format} export of {self.sequence}"

    @property
    def is_final(self) -> bool:
        return self.state in (self.State.READY, self.State.FAILED)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0
