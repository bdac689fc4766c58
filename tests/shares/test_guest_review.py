"""A guest of a share link, without an account: password, name, the player with its signed
media, a comment at a time code, a decision when the link allows it; and what the team sees."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from shares.conftest import POSTER, VIDEO, open_as_guest

from storyboard.review.models import COMMENT_MAX, Comment, Decision
from storyboard.shares import limits
from storyboard.shares.actions import create_share
from storyboard.shares.models import Guest, ShareLink
from storyboard.webhooks.actions import add_webhook
from storyboard.webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def _media_urls(page) -> list[str]:
    """[video, poster] of a guest page."""
    text = page.content.decode()
    return [re.search(rf'{attribute}="(/s/[^"]+/media/[^"]+/)"', text).group(1)
            for attribute in ("src", "poster")]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_password_then_a_name_then_the_player(share):
    link, token = share
    guest = Client()
    first = guest.get(f"/s/{token}/")
    assert first.status_code == 200 and "This review link has a password" in first.content.decode()
    wrong = guest.post(f"/s/{token}/unlock/", {"password": "lighthouse"})
    assert wrong.status_code == 400
    assert "Password: that is not the password of this link." in wrong.content.decode()
    assert guest.post(f"/s/{token}/unlock/", {"password": "harbour"}).status_code == 302
    assert "Your name" in guest.get(f"/s/{token}/").content.decode()
    blank = guest.post(f"/s/{token}/name/", {"name": "  "})
    assert blank.status_code == 400 and "Your name: write the name" in blank.content.decode()
    guest.post(f"/s/{token}/name/", {"name": "Ana"})
    page = guest.get(f"/s/{token}/")
    text = page.content.decode()
    assert "You are reviewing as <strong>Ana</strong>" in text
    assert "Shot boundaries at 0:03.0, 0:06.0" in text and "A slow pan" in text
    assert Guest.objects.filter(share=link, name="Ana").exists()
    assert page["Referrer-Policy"] == "same-origin"
    # No team page is linked from a guest page.
    links = re.findall(r'(?:href|action)="([^"]*)"', text)
    assert [u for u in links if not u.startswith(("/static/", f"/s/{token}/"))] == []
    video, poster = _media_urls(page)
    assert _body(guest.get(video)) == VIDEO and _body(guest.get(poster)) == POSTER
    assert guest.get(video, HTTP_RANGE="bytes=0-3").status_code == 206


def test_a_wrong_password_is_rate_limited_per_address(share):
    link, token = share
    guest = Client()
    for _ in range(limits.PASSWORD_TRIES):
        assert guest.post(f"/s/{token}/unlock/", {"password": "nope"}).status_code == 400
    limited = guest.post(f"/s/{token}/unlock/", {"password": "harbour"})
    assert limited.status_code == 429 and "too many wrong tries" in limited.content.decode()
    other = Client(REMOTE_ADDR="10.9.9.9")  # another address still may try
    assert other.post(f"/s/{token}/unlock/", {"password": "harbour"}).status_code == 302


def test_media_and_comments_need_the_password(share):
    link, token = share
    unlocked = open_as_guest(token)
    video = _media_urls(unlocked.get(f"/s/{token}/"))[0]
    stranger = Client()
    assert stranger.get(video).status_code == 404
    stranger.post(f"/s/{token}/name/", {"name": "Eve"})
    assert stranger.post(f"/s/{token}/comment/", {"seconds": "1", "text": "hi"}).status_code \
        == 404
    assert not Comment.objects.exists()


def test_a_guest_comment_names_its_shot_and_the_team_sees_it(share, cast, client_for):
    link, token = share
    guest = open_as_guest(token, name="Ana <b>")
    guest.post(f"/s/{token}/comment/", {"seconds": "4.2", "text": "<script>x()</script> late"})
    comment = Comment.objects.get()
    assert (comment.author, comment.guest_name, comment.share, comment.shot) == \
        (None, "Ana <b>", link, 2)
    guest_page = guest.get(f"/s/{token}/").content.decode()
    team_page = client_for(cast.reviewer).get(f"/review/clips/{link.clip_id}/").content.decode()
    for text in (guest_page, team_page):
        assert "&lt;script&gt;x()&lt;/script&gt; late" in text and "<script>x()" not in text
        assert "guest: Ana &lt;b&gt;" in text


def test_guest_comments_have_the_members_length_limit(share):
    link, token = share
    guest = open_as_guest(token)
    page = guest.post(f"/s/{token}/comment/", {"seconds": "1", "text": "x" * (COMMENT_MAX + 1)},
                      follow=True)
    assert f"Comment: at most {COMMENT_MAX:,} characters" in page.content.decode()
    late = guest.post(f"/s/{token}/comment/", {"seconds": "12", "text": "after"}, follow=True)
    assert "is past the end of the clip" in late.content.decode()
    assert not Comment.objects.exists()


def test_guest_comments_are_rate_limited_per_link_and_address(share, monkeypatch):
    monkeypatch.setattr(limits, "COMMENTS", 2)
    link, token = share
    guest = open_as_guest(token)
    for n in range(3):
        page = guest.post(f"/s/{token}/comment/", {"seconds": "1", "text": f"note {n}"},
                          follow=True)
    assert "Comment: at most 2 comments in 10 minutes" in page.content.decode()
    assert Comment.objects.count() == 2


def test_guest_comments_count_in_the_teams_review_count(share, cast, client_for):
    link, token = share
    reviewer = client_for(cast.reviewer)
    reviewer.post(f"/review/clips/{link.clip_id}/approve/")
    assert reviewer.get("/review/").context["review_waiting"] == ""
    open_as_guest(token).post(f"/s/{token}/comment/", {"seconds": "2", "text": "too dark"})
    assert str(reviewer.get("/review/").context["review_waiting"]) == "1"


def test_a_guest_retake_is_recorded_as_theirs_and_goes_out(share, cast, client_for):
    link, token = share
    add_webhook(cast.team_a, "https://hooks.example.com/in",
                ["retake.requested", "comment.added"])
    guest = open_as_guest(token, name="Ana")
    guest.post(f"/s/{token}/comment/", {"seconds": "4.2", "text": "The pan starts late"})
    guest.post(f"/s/{token}/decide/", {"decision": "retake", "note": "Slower pan"})
    decision = Decision.objects.get()
    assert (decision.kind, decision.decided_by, decision.guest_name, decision.share) == \
        ("retake", None, "Ana", link)
    assert decision.revision.title == "Coast (retake)"
    assert decision.revision.created_by == cast.editor  # the one who shared the take
    history = client_for(cast.reviewer).get(f"/review/clips/{link.clip_id}/").content.decode()
    assert "by guest: Ana" in history and "Slower pan" in history
    events = {d.event: d.payload["data"] for d in Delivery.objects.all()}
    assert events["retake.requested"]["decision"]["guest"] == "Ana"
    assert events["comment.added"]["comment"] == {
        "id": Comment.objects.get().pk, "seconds": 4.2, "shot": 2,
        "text": "The pan starts late", "by": None, "guest": "Ana"}


def test_a_guest_decides_only_when_the_link_allows_it(shared_clip, cast):
    link, token = create_share(shared_clip, cast.editor, 7, "", False)
    guest = open_as_guest(token, secret=None)
    assert "The team decides; you can comment." in guest.get(f"/s/{token}/").content.decode()
    assert guest.post(f"/s/{token}/decide/", {"decision": "approve"}).status_code == 404
    assert not Decision.objects.exists()


def test_a_revoked_link_answers_404_everywhere_media_included(share):
    link, token = share
    guest = open_as_guest(token)
    video = _media_urls(guest.get(f"/s/{token}/"))[0]
    ShareLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    for response in (guest.get(f"/s/{token}/"), guest.get(video),
                     guest.post(f"/s/{token}/comment/", {"seconds": "1", "text": "hi"}),
                     guest.post(f"/s/{token}/decide/", {"decision": "approve"}),
                     guest.post(f"/s/{token}/unlock/", {"password": "harbour"})):
        assert response.status_code == 404
    assert not Comment.objects.exists() and not Decision.objects.exists()


def test_an_expired_link_answers_410_everywhere_media_included(share):
    link, token = share
    guest = open_as_guest(token)
    video = _media_urls(guest.get(f"/s/{token}/"))[0]
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for response in (guest.get(f"/s/{token}/"), guest.get(video),
                     guest.post(f"/s/{token}/comment/", {"seconds": "1", "text": "hi"}),
                     guest.post(f"/s/{token}/name/", {"name": "Ana"})):
        assert response.status_code == 410
    assert "This review link has expired" in guest.get(f"/s/{token}/").content.decode()
    assert not Comment.objects.exists()


def test_changing_any_part_of_a_url_answers_404(share, shared_clip, cast, make_clip):
    link, token = share
    guest = open_as_guest(token)
    video = _media_urls(guest.get(f"/s/{token}/"))[0]
    signed = video.rstrip("/").rsplit("/", 1)[1]
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert guest.get(f"/s/{changed}/").status_code == 404
    assert guest.get(f"/s/{token}/media/{signed[:-2]}xy/").status_code == 404
    # A media URL signed for one link does not work under another, even for the same clip...
    other, other_token = create_share(shared_clip, cast.editor, 14, "", False)
    assert guest.get(f"/s/{other_token}/media/{signed}/").status_code == 404
    # ...nor does another team's link show this clip.
    theirs, their_token = create_share(make_clip(team=cast.team_b), cast.outsider, 14)
    assert guest.get(f"/s/{their_token}/media/{signed}/").status_code == 404


def test_passing_one_link_opens_no_other(share, shared_clip, cast):
    link, token = share
    guest = open_as_guest(token)
    other, other_token = create_share(shared_clip, cast.editor, 14, "harbour", True)
    assert "has a password" in guest.get(f"/s/{other_token}/").content.decode()
    assert guest.post(f"/s/{other_token}/comment/", {"seconds": "1", "text": "x"}).status_code \
        == 404


def test_a_guest_reaches_no_team_page(share):
    link, token = share
    guest = open_as_guest(token)
    for path in (f"/review/clips/{link.clip_id}/", f"/gallery/clips/{link.clip_id}/",
                 f"/jobs/clips/{link.clip_id}/video/", "/team/share-links/", "/storyboards/"):
        response = guest.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_exported_notes_name_the_guest(share, cast, client_for):
    link, token = share
    guest = open_as_guest(token, name="Ana")
    guest.post(f"/s/{token}/comment/", {"seconds": "4.2", "text": "The pan starts late"})
    guest.post(f"/s/{token}/decide/", {"decision": "approve"})
    reviewer = client_for(cast.reviewer)
    csv = reviewer.get(f"/review/clips/{link.clip_id}/notes.csv").content.decode()
    assert csv.count("guest: Ana") == 2  # the comment and the approval
    edl = reviewer.get(f"/review/clips/{link.clip_id}/notes.edl").content.decode()
    assert "guest: Ana" in edl
