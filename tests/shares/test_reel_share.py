"""A share link of a sequence's reel: made from the sequence's page, it plays for a guest the
take each storyboard plays there (pinned, else approved, else newest), in order, with its media
signed for the link; each of those takes has its own page, comments and decision. A take the
reel does not play is 404, and stops being reachable once another is chosen; revoked 404,
expired 410, media included."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from shares.conftest import open_as_guest

from storyboard.boards.models import Storyboard
from storyboard.review.models import Comment
from storyboard.sequences.models import Sequence, SequenceEntry
from storyboard.shares.actions import ShareRefused, create_reel_share
from storyboard.shares.models import ShareLink

pytestmark = pytest.mark.django_db


def _stored(clip, name: str):
    clip.file = default_storage.save(f"clips/{name}.mp4", ContentFile(f"video {name}".encode()))
    clip.poster = default_storage.save(f"clips/{name}.jpg", ContentFile(f"poster {name}".encode()))
    clip.save(update_fields=["file", "poster"])
    return clip


@pytest.fixture
def reel(cast, make_clip):
    """"Scene 1": "Pier" (an older take pinned, a newer one), "Gulls" (one take), "Night" (no
    take yet), in that order."""
    sequence = Sequence.objects.create(team=cast.team_a, title="Scene 1")
    boards = {}
    for position, title in enumerate(("Pier", "Gulls", "Night"), start=1):
        boards[title] = Storyboard.objects.create(team=cast.team_a, title=title,
                                                  created_by=cast.editor)
        SequenceEntry.objects.create(sequence=sequence, position=position,
                                     storyboard=boards[title])
    pinned = _stored(make_clip(storyboard=boards["Pier"], title="Pier", seconds=(2, 2),
                               age=timedelta(hours=1)), "pinned")
    newer = _stored(make_clip(storyboard=boards["Pier"], title="Pier", seconds=(2, 2)), "newer")
    gulls = _stored(make_clip(storyboard=boards["Gulls"], title="Gulls", seconds=(3, 3)), "gulls")
    SequenceEntry.objects.filter(storyboard=boards["Pier"]).update(pinned_clip=pinned)
    return {"sequence": sequence, "pinned": pinned, "newer": newer, "gulls": gulls}


@pytest.fixture
def link(reel, cast):
    return create_reel_share(reel["sequence"], cast.editor, 7, "", True)


def _items(page) -> list[tuple[str, str]]:
    """(title, src) of each item of the reel's player."""
    return re.findall(r'<li data-src="([^"]+)"[^>]*data-title="([^"]*)"',
                      page.content.decode())


def test_an_editor_shares_the_reel_from_the_sequence_page(cast, client_for, reel):
    sequence = reel["sequence"]
    page = client_for(cast.editor).get(f"/sequences/{sequence.pk}/").content.decode()
    assert "Make share link for this reel" in page
    assert "Make share link for this reel" not in client_for(cast.viewer).get(
        f"/sequences/{sequence.pk}/").content.decode()
    editor = client_for(cast.editor)
    response = editor.post(f"/team/share-links/sequences/{sequence.pk}/new/", {"days": "3"},
                           follow=True)
    assert "Share link made for the reel of “Scene 1”" in response.content.decode()
    share = ShareLink.objects.get()
    assert (share.sequence, share.clip, share.storyboard) == (sequence, None, None)
    listing = editor.get("/team/share-links/").content.decode()
    assert f'Reel of <a href="/sequences/{sequence.pk}/">Scene 1</a>' in listing
    assert "Revoke the link of the reel of Scene 1" in listing
    assert client_for(cast.reviewer).post(f"/team/share-links/sequences/{sequence.pk}/new/",
                                          {"days": "3"}).status_code == 403
    assert client_for(cast.outsider).post(f"/team/share-links/sequences/{sequence.pk}/new/",
                                          {"days": "3"}).status_code == 404


def test_a_sequence_without_a_take_is_refused(cast):
    empty = Sequence.objects.create(team=cast.team_a, title="Empty")
    with pytest.raises(ShareRefused, match="No storyboard of “Empty” has a finished take"):
        create_reel_share(empty, cast.editor, 14)
    assert not ShareLink.objects.exists()


def test_the_guest_plays_the_chosen_takes_in_order(link, reel):
    share, token = link
    guest = open_as_guest(token, secret=None)
    page = guest.get(f"/s/{token}/")
    text = page.content.decode()
    assert "Reel of “Scene 1”" in text
    items = _items(page)
    assert [title for _, title in items] == ["Pier", "Gulls"]  # Night has no take: left out
    assert [b"".join(guest.get(src).streaming_content) for src, _ in items] == [
        b"video pinned", b"video gulls"]
    assert f"/s/{token}/takes/{reel['pinned'].pk}/" in text
    assert f"/takes/{reel['newer'].pk}/" not in text
    take = guest.get(f"/s/{token}/takes/{reel['gulls'].pk}/")
    assert take.status_code == 200 and "The reel of “Scene 1”" in take.content.decode()
    guest.post(f"/s/{token}/takes/{reel['gulls'].pk}/comment/", {"seconds": "1", "text": "Hi"})
    assert Comment.objects.get().clip == reel["gulls"]


def test_only_the_takes_the_reel_plays_are_reachable(link, reel):
    share, token = link
    guest = open_as_guest(token, secret=None)
    newer, pinned = reel["newer"], reel["pinned"]
    assert guest.get(f"/s/{token}/takes/{newer.pk}/").status_code == 404
    assert guest.post(f"/s/{token}/takes/{newer.pk}/comment/",
                      {"seconds": "1", "text": "x"}).status_code == 404
    old_video = _items(guest.get(f"/s/{token}/"))[0][0]
    # Unpinned: the reel now plays the newest take, and the pinned one is no longer shared.
    SequenceEntry.objects.filter(pinned_clip=pinned).update(pinned_clip=None)
    assert guest.get(f"/s/{token}/takes/{pinned.pk}/").status_code == 404
    assert guest.get(old_video).status_code == 404
    assert guest.get(f"/s/{token}/takes/{newer.pk}/").status_code == 200
    assert not Comment.objects.exists()


def test_revoked_404_and_expired_410_media_included(link, reel):
    share, token = link
    guest = open_as_guest(token, secret=None)
    video = _items(guest.get(f"/s/{token}/"))[1][0]
    take = f"/s/{token}/takes/{reel['gulls'].pk}/"
    ShareLink.objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert [guest.get(u).status_code for u in (f"/s/{token}/", take, video)] == [410] * 3
    ShareLink.objects.filter(pk=share.pk).update(expires_at=timezone.now() + timedelta(days=1),
                                                 revoked_at=timezone.now())
    assert [guest.get(u).status_code for u in (f"/s/{token}/", take, video)] == [404] * 3
