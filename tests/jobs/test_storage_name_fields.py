"""The S3 leftover sweep deletes objects no row names, so every field that holds a storage name
must be in storage_sweep.NAME_FIELDS. A new field named like the existing ones (file, poster,
clip, thumb_…) that is not listed would lose its objects six hours after they were written."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import models

from storyboard.storage_sweep import name_fields

NAMES = {"file", "poster", "clip", "voice_clip", "video", "thumbnail"}
PATTERN = re.compile(r"thumb_\d+|.+_(file|poster|clip)")


def looks_stored(name: str) -> bool:
    return name in NAMES or PATTERN.fullmatch(name) is not None


def test_every_field_named_like_a_stored_file_is_swept_as_referenced():
    listed = {(model._meta.label, field) for model, field in name_fields()}
    unlisted = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models() if model._meta.app_label not in (
            "auth", "admin", "contenttypes", "sessions", "django_q", "axes", "messages")
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField) and not field.choices
        and looks_stored(field.name)
        and (model._meta.label, field.name) not in listed]
    assert unlisted == [], ("fields that look like storage names but are not in "
                            f"storyboard/storage_sweep.py NAME_FIELDS: {unlisted}")


def test_the_rule_catches_names_like_the_existing_ones():
    assert all(map(looks_stored, ["file", "poster", "thumb_256", "voice_clip", "cover_file"]))
    assert not any(map(looks_stored, ["thumb_format", "clip_codec", "voice_clip_type"]))
