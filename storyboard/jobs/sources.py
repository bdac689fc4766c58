"""Where vendors fetch the media behind a job's frozen slots."""

from __future__ import annotations

from django.conf import settings

from storyboard.boards.convert import SlotSources


def media_base(account) -> str | None:
    """Where vendors fetch our media: the public URL, or for the local sandbox this machine."""
    if settings.STORYBOARD_PUBLIC_BASE_URL:
        return settings.STORYBOARD_PUBLIC_BASE_URL
    if account is not None and account.sandbox and settings.STORYBOARD_LOCAL_URL:
        return settings.STORYBOARD_LOCAL_URL
    return None


def job_sources(job, base: str | None = None) -> SlotSources:
    return SlotSources(job.slot_sources, base)
