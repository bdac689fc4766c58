"""Objects on the S3 store that no row names: what a process killed mid-way leaves behind (a
clip the worker uploaded whose row was never committed, an upload whose request died). Part of
the hourly leftover sweep (storage.sweep_leftover_files) when media is on S3.

An object is removed only when all of these hold: it is under one of the folders this app
writes, below the storage's location (STORYBOARD_S3_PREFIX); it is older than the sweep's max
age by its LastModified, so nothing being written now is touched; no row named it when the
sweep began; and no row names it when its batch is checked again just before the delete, so a
row made while the sweep lists keeps its object."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.apps import apps
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone

log = logging.getLogger(__name__)

# The folders this app writes below the location: clips/ (the worker), library/ (uploads,
# elements, takes kept as reference videos), previews/ (animatics), exports/ (sequence
# exports). Anything else in the bucket, under the same prefix or not, is left alone: an
# operator may keep other things there, and an empty prefix is the whole bucket.
MEDIA_FOLDERS = ("clips/", "library/", "previews/", "exports/")

# Rows keep storage names in CharFields, not FileFields. Every object the app stores is named
# by one of these, the derived ones too (posters, thumbnails, voice clips, animatic previews,
# exports). A new field naming a stored object must be added here, or the sweep deletes the
# objects it names once they are older than the max age.
NAME_FIELDS = {
    "library.ReferenceImage": ("file", "thumb_256", "thumb_768"),
    "library.ReferenceVideo": ("file", "poster"),
    "library.ElementVersion": ("clip", "poster", "voice_clip"),
    "jobs.Clip": ("file", "poster"),
    "boards.Preview": ("file",),
    "sequences.SequenceExport": ("file",),
}

BATCH = 1000  # the most keys one DeleteObjects request takes


def name_fields() -> list[tuple[type[models.Model], str]]:
    """(model, field) for every field that names stored objects: those listed above and any
    FileField or ImageField of an installed model."""
    found = {(apps.get_model(label), name) for label, names in NAME_FIELDS.items()
             for name in names}
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        found.update((model, field.name) for field in model._meta.concrete_fields
                     if isinstance(field, models.FileField))
    return sorted(found, key=lambda pair: (pair[0]._meta.label, pair[1]))


def referenced_names() -> set[str]:
    """Every storage name a row holds, read a chunk at a time."""
    names: set[str] = set()
    for model, field in name_fields():
        rows = model._base_manager.values_list(field, flat=True).iterator(chunk_size=2000)
        names.update(name for name in rows if name)
    return names


def referenced_among(names: list[str]) -> set[str]:
    """Which of `names` a row holds now."""
    found: set[str] = set()
    for model, field in name_fields():
        found.update(model._base_manager.filter(**{f"{field}__in": names})
                     .values_list(field, flat=True))
    return found


def key_prefix(storage) -> str:
    location = storage.location.strip("/")
    return f"{location}/" if location else ""


def old_keys(client, bucket: str, prefix: str, cutoff: datetime) -> Iterator[str]:
    """Keys under the app's folders last modified before `cutoff`, a page at a time."""
    paginator = client.get_paginator("list_objects_v2")
    for folder in MEDIA_FOLDERS:
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix + folder):
            for item in page.get("Contents", ()):
                if item["LastModified"] < cutoff:
                    yield item["Key"]


def delete_orphans(client, bucket: str, prefix: str, names: list[str]) -> int:
    """Deletes the objects of `names` (at most BATCH) that no row holds now; returns how many
    went."""
    kept = referenced_among(names)
    orphans = [prefix + name for name in names if name not in kept]
    if not orphans:
        return 0
    response = client.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": key} for key in orphans], "Quiet": True})
    failed = {error.get("Key"): error.get("Message") or error.get("Code")
              for error in response.get("Errors", [])}
    for key in orphans:
        if key in failed:
            log.warning("orphan sweep: could not delete %s: %s", key, failed[key])
        else:
            log.info("orphan sweep: deleted %s (no row names it)", key)
    return len(orphans) - len(failed)


def sweep_orphan_objects(max_age_seconds: int, now: datetime | None = None) -> int:
    """Deletes the default storage's objects that no row names and that are older than
    `max_age_seconds` (see the module's docstring); returns how many it deleted."""
    storage = storages["default"]
    client, bucket = storage.connection.meta.client, storage.bucket_name
    prefix = key_prefix(storage)
    cutoff = (now or timezone.now()) - timedelta(seconds=max_age_seconds)
    referenced = referenced_names()
    removed, batch = 0, []
    for key in old_keys(client, bucket, prefix, cutoff):
        name = key[len(prefix):]
        if name in referenced:
            continue
        batch.append(name)
        if len(batch) == BATCH:
            removed += delete_orphans(client, bucket, prefix, batch)
            batch = []
    if batch:
        removed += delete_orphans(client, bucket, prefix, batch)
    if removed:
        log.info("orphan sweep: deleted %d objects that no row names from s3://%s/%s",
                 removed, bucket, prefix)
    return removed
