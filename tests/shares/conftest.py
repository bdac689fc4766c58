import pytest
from clip_fixtures import make_clip  # noqa: F401  (shared fixture)
from django.core.cache.backends.locmem import LocMemCache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from storyboard.shares.actions import create_share

VIDEO = b"\x00\x00\x00\x18ftypmp42-shared-video-bytes"
POSTER = b"\xff\xd8\xff-shared-poster-bytes"


@pytest.fixture(autouse=True)
def _fresh_limits(monkeypatch):
    # The rate limits' counters in a cache of each test's own (never clear a shared Redis).
    own = LocMemCache("shares-tests", {})
    own.clear()  # locmem caches of one name share their rows: start each test empty
    monkeypatch.setattr("storyboard.shares.limits.cache", own)


@pytest.fixture
def shared_clip(make_clip):  # noqa: F811  (the fixture imported above)
    """A 3 + 3 + 3 s take of team A whose video and poster are stored."""
    clip = make_clip(title="Coast", prompts=("Gulls", "A slow pan", "Waves"), seconds=(3, 3, 3))
    clip.file = default_storage.save("clips/shared.mp4", ContentFile(VIDEO))
    clip.poster = default_storage.save("clips/shared.jpg", ContentFile(POSTER))
    clip.save(update_fields=["file", "poster"])
    return clip


@pytest.fixture
def share(shared_clip, cast):
    """(link, token): 14 days, password "harbour", guests may decide."""
    return create_share(shared_clip, cast.editor, 14, "harbour", True)


def open_as_guest(token: str, secret: str | None = "harbour",  # noqa: S107  (a test link)
                  name: str = "Ana") -> Client:
    """A guest's client past the link's password (`secret`; None: the link has none) and name."""
    guest = Client()
    if secret is not None:
        assert guest.post(f"/s/{token}/unlock/", {"password": secret}).status_code == 302
    assert guest.post(f"/s/{token}/name/", {"name": name}).status_code == 302
    return guest
