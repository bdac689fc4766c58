"""A share link of a storyboard's takes: made from the Takes page, it shows a guest every
finished take of the storyboard and of its revisions, each with its own page, comments and
decision, its media signed per link. Any other clip's id in a URL is 404; a revoked link is 404
and an expired one 410 everywhere, media included; a guest of another link sees nothing."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from shares.conftest import open_as_guest

from storyboard.boards.models import Storyboard
from storyboard.review.models import Comment, Decision
from storyboard.shares.actions import ShareRefused, create_share, create_takes_share
from storyboard.shares.models import ShareLink
from storyboard.shares.signing import media_url

pytestmark = pytest.mark.django_db


def _stored(clip, name: str):
    clip.file = default_storage.save(f"clips/{name}.mp4", ContentFile(f"video {name}".encode()))
    clip.poster = default_storage.save(f"clips/{name}.jpg", ContentFile(f"poster {name}".encode()))
    clip.save(update_fields=["file", "poster"])
    return clip


@pytest.fixture
def takes(cast, make_clip):
    """The storyboard "Coast" with two takes, a revision of it with one, and a failed job's
    clip; besides them another storyboard's take of team A and a take of team B."""
    board = Storyboard.objects.create(team=cast.team_a, title="Coast", created_by=cast.editor)
    revision = Storyboard.objects.create(team=cast.team_a, title="Coast (retake)",
                                         created_by=cast.editor, parent=board)
    first = _stored(make_clip(storyboard=board, title="Coast", seconds=(3, 3),
                              age=timedelta(hours=2)), "first")
    second = _stored(make_clip(storyboard=board, title="Coast", seconds=(3, 3),
                               age=timedelta(hours=1)), "second")
    third = _stored(make_clip(storyboard=revision, title="Coast (retake)", seconds=(3, 3)),
                    "third")
    failed = _stored(make_clip(storyboard=board, title="Coast", state="failed"), "failed")
    elsewhere = _stored(make_clip(title="Harbour"), "elsewhere")
    theirs = _stored(make_clip(team=cast.team_b, title="Theirs"), "theirs")
    return {"board": board, "shown": [third, second, first], "failed": failed,
            "elsewhere": elsewhere, "theirs": theirs}


@pytest.fixture
def link(takes, cast):
    """(share, token) of the takes of "Coast": password "harbour", guests may decide."""
    return create_takes_share(takes["board"], cast.editor, 14, "harbour", True)


def _media(page) -> list[str]:
    return re.findall(r'(?:src|poster)="(/s/[^"]+/media/[^"]+/)"', page.content.decode())


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_editor_shares_the_takes_from_the_takes_page(cast, client_for, takes):
    board = takes["board"]
    page = client_for(cast.editor).get(f"/gallery/takes/{board.pk}/").content.decode()
    assert "Make share link for these takes" in page
    assert f'action="/team/share-links/storyboards/{board.pk}/new/"' in page
    viewer_page = client_for(cast.viewer).get(f"/gallery/takes/{board.pk}/").content.decode()
    assert "Make share link for these takes" not in viewer_page
    editor = client_for(cast.editor)
    response = editor.post(f"/team/share-links/storyboards/{board.pk}/new/",
                           {"days": "7", "password": "harbour"}, follow=True)
    text = response.content.decode()
    assert "Share link made for the takes of “Coast”" in text
    assert response.context["new"]["link"] in text
    share = ShareLink.objects.get()
    assert (share.storyboard, share.clip, share.team) == (board, None, cast.team_a)
    assert share.has_password and not share.guests_may_decide
    # The team's list says what is shared.
    listing = editor.get("/team/share-links/").content.decode()
    assert f'Takes of <a href="/gallery/takes/{board.pk}/">Coast</a>' in listing
    assert "Revoke the link of the takes of Coast" in listing


def test_a_storyboard_without_a_finished_take_is_refused(cast, client_for, make_clip):
    board = Storyboard.objects.create(team=cast.team_a, title="Empty", created_by=cast.editor)
    make_clip(storyboard=board, state="failed")
    response = client_for(cast.editor).post(f"/team/share-links/storyboards/{board.pk}/new/",
                                            {"days": "14"}, follow=True)
    assert "“Empty” has no finished take yet" in response.content.decode()
    with pytest.raises(ShareRefused):
        create_takes_share(board, cast.editor, 14)
    assert not ShareLink.objects.exists()


def test_reviewers_cannot_and_another_teams_storyboard_is_404(cast, client_for, takes):
    board = takes["board"]
    assert client_for(cast.reviewer).post(f"/team/share-links/storyboards/{board.pk}/new/",
                                          {"days": "14"}).status_code == 403
    assert client_for(cast.outsider).post(f"/team/share-links/storyboards/{board.pk}/new/",
                                          {"days": "14"}).status_code == 404
    assert not ShareLink.objects.exists()


def test_a_link_shares_a_clip_or_a_storyboard_never_both_nor_neither(cast, takes):
    clip = takes["shown"][0]
    for shared in ({"clip": clip, "storyboard": takes["board"]}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ShareLink.objects.create(team=cast.team_a, token_hash=f"x{len(shared)}",
                                     expires_at=timezone.now() + timedelta(days=1), **shared)


def test_a_guest_chooses_among_the_takes(link, takes):
    share, token = link
    guest = open_as_guest(token)
    page = guest.get(f"/s/{token}/")
    text = page.content.decode()
    assert "Takes of “Coast”" in text
    shown = [int(i) for i in re.findall(rf'href="/s/{token}/takes/(\d+)/"', text)]
    assert list(dict.fromkeys(shown)) == [c.pk for c in takes["shown"]]  # newest first
    for hidden in ("failed", "elsewhere", "theirs"):
        assert f"/takes/{takes[hidden].pk}/" not in text
    assert "Harbour" not in text and "Theirs" not in text
    # The posters of the list are the takes', signed for this link.
    posters = _media(page)
    assert [_body(guest.get(p)) for p in posters] == [
        f"poster {n}".encode() for n in ("third", "second", "first")]
    # Each take's page plays that take.
    second = takes["shown"][1]
    take_page = guest.get(f"/s/{token}/takes/{second.pk}/")
    assert take_page.status_code == 200
    assert "All takes of “Coast”" in take_page.content.decode()
    text = take_page.content.decode()
    video = re.search(r'src="(/s/[^"]+/media/[^"]+/)"', text).group(1)
    poster = re.search(r'poster="(/s/[^"]+/media/[^"]+/)"', text).group(1)
    assert (_body(guest.get(video)), _body(guest.get(poster))) == (b"video second",
                                                                   b"poster second")


def test_each_take_has_its_own_comments_and_decision(link, takes, cast, client_for):
    share, token = link
    first, second = takes["shown"][2], takes["shown"][1]
    guest = open_as_guest(token, name="Ana")
    after = guest.post(f"/s/{token}/takes/{first.pk}/comment/",
                       {"seconds": "4.2", "text": "The pan starts late"})
    assert after.status_code == 302 and after["Location"] == f"/s/{token}/takes/{first.pk}/"
    guest.post(f"/s/{token}/takes/{second.pk}/decide/", {"decision": "approve"})
    comment, decision = Comment.objects.get(), Decision.objects.get()
    assert (comment.clip, comment.shot, comment.guest_name, comment.share) == \
        (first, 2, "Ana", share)
    assert (decision.clip, decision.kind, decision.guest_name) == (second, "approve", "Ana")
    first_page = guest.get(f"/s/{token}/takes/{first.pk}/").content.decode()
    second_page = guest.get(f"/s/{token}/takes/{second.pk}/").content.decode()
    assert "The pan starts late" in first_page and "The pan starts late" not in second_page
    assert "Awaiting review" in first_page and "✓ Approved" in second_page
    listing = guest.get(f"/s/{token}/").content.decode()
    assert "1 comment" in listing and "Approved" in listing
    # The team sees them on each take's review page, as the guest's.
    review = client_for(cast.reviewer).get(f"/review/clips/{first.pk}/").content.decode()
    assert "guest: Ana" in review and "The pan starts late" in review


def test_a_retakes_new_take_joins_the_link(link, takes, cast, make_clip):
    share, token = link
    guest = open_as_guest(token)
    first = takes["shown"][2]
    guest.post(f"/s/{token}/takes/{first.pk}/decide/", {"decision": "retake", "note": "Slower"})
    revision = Decision.objects.get().revision
    assert revision.parent_id == takes["board"].pk
    new = make_clip(storyboard=revision, title=revision.title)
    assert f"/s/{token}/takes/{new.pk}/" in guest.get(f"/s/{token}/").content.decode()
    assert guest.get(f"/s/{token}/takes/{new.pk}/").status_code == 200


def test_any_other_clips_id_is_404_pages_posts_and_media(link, takes, cast):
    share, token = link
    guest = open_as_guest(token)
    for hidden in ("failed", "elsewhere", "theirs"):
        pk = takes[hidden].pk
        assert guest.get(f"/s/{token}/takes/{pk}/").status_code == 404, hidden
        assert guest.post(f"/s/{token}/takes/{pk}/comment/",
                          {"seconds": "1", "text": "x"}).status_code == 404
        assert guest.post(f"/s/{token}/takes/{pk}/decide/",
                          {"decision": "approve"}).status_code == 404
        # A signature made by the server for this link, but for a clip it does not show.
        for kind in ("video", "poster"):
            assert guest.get(media_url(share, token, kind, takes[hidden])).status_code == 404
    assert guest.get(f"/s/{token}/takes/999999/").status_code == 404
    # A link of takes has no one-clip routes, and a one-clip link no take routes.
    assert guest.post(f"/s/{token}/comment/", {"seconds": "1", "text": "x"}).status_code == 404
    assert guest.post(f"/s/{token}/decide/", {"decision": "approve"}).status_code == 404
    clip = takes["shown"][0]
    _, clip_token = create_share(clip, cast.editor, 14)
    clip_guest = open_as_guest(clip_token, secret=None)
    assert clip_guest.get(f"/s/{clip_token}/takes/{clip.pk}/").status_code == 404
    assert clip_guest.post(f"/s/{clip_token}/takes/{clip.pk}/comment/",
                           {"seconds": "1", "text": "x"}).status_code == 404
    assert not Comment.objects.exists() and not Decision.objects.exists()


def test_a_take_page_and_its_media_need_the_password(link, takes):
    share, token = link
    take = takes["shown"][0]
    stranger = Client()
    page = stranger.get(f"/s/{token}/takes/{take.pk}/")
    assert "This review link has a password" in page.content.decode()
    assert _media(page) == []
    assert stranger.get(media_url(share, token, "video", take)).status_code == 404
    # Not even whether an id is one of the takes: the password comes first.
    other = stranger.get(f"/s/{token}/takes/{takes['theirs'].pk}/")
    assert other.status_code == 200 and "This review link has a password" in \
        other.content.decode()


def test_revoked_is_404_and_expired_410_everywhere_media_included(link, takes):
    share, token = link
    take = takes["shown"][0]
    guest = open_as_guest(token)
    media = _media(guest.get(f"/s/{token}/takes/{take.pk}/"))
    assert all(guest.get(m).status_code == 200 for m in media)

    def every_url():
        return [guest.get(f"/s/{token}/"), guest.get(f"/s/{token}/takes/{take.pk}/"),
                *(guest.get(m) for m in media),
                guest.post(f"/s/{token}/takes/{take.pk}/comment/", {"seconds": "1", "text": "x"}),
                guest.post(f"/s/{token}/takes/{take.pk}/decide/", {"decision": "approve"})]

    ShareLink.objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert [r.status_code for r in every_url()] == [410] * 6
    ShareLink.objects.filter(pk=share.pk).update(expires_at=timezone.now() + timedelta(days=1),
                                                 revoked_at=timezone.now())
    assert [r.status_code for r in every_url()] == [404] * 6
    assert not Comment.objects.exists() and not Decision.objects.exists()


def test_a_guest_of_another_link_sees_nothing_of_this_one(link, takes, cast):
    share, token = link
    # Link B: the takes of another storyboard of the same team, passed by its guest.
    other_board = takes["elsewhere"].job.storyboard
    share_b, token_b = create_takes_share(other_board, cast.editor, 14, "pw-b", True)
    guest_b = open_as_guest(token_b, secret="pw-b", name="Bea")
    take = takes["shown"][0]
    # A's pages ask B's guest for A's password; A's take ids under B's token are 404.
    assert "has a password" in guest_b.get(f"/s/{token}/takes/{take.pk}/").content.decode()
    assert guest_b.get(f"/s/{token_b}/takes/{take.pk}/").status_code == 404
    assert guest_b.post(f"/s/{token}/takes/{take.pk}/comment/",
                        {"seconds": "1", "text": "x"}).status_code == 404
    # A's media signatures work under neither token for B's guest.
    guest_a = open_as_guest(token)
    for signed_url in _media(guest_a.get(f"/s/{token}/takes/{take.pk}/")):
        signed = signed_url.rstrip("/").rsplit("/", 1)[1]
        assert guest_b.get(signed_url).status_code == 404
        assert guest_b.get(f"/s/{token_b}/media/{signed}/").status_code == 404
    assert not Comment.objects.exists()
