"""When recurring work last ran, in the database so every process (web servers asking, workers
writing) sees the same answer on SQLite and PostgreSQL alike; a per-process cache would not."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    name = models.CharField(max_length=60, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"


def beat(name: str) -> None:
    """One UPDATE in the usual case; the row is made the first time."""
    now = timezone.now()
    if not Heartbeat.objects.filter(name=name).update(at=now):
        Heartbeat.objects.update_or_create(name=name, defaults={"at": now})


def last(name: str):
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()
