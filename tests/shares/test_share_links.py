"""Share links from the team's side: made by editors and owners from a clip, unguessable,
expiring, password stored hashed; the team's list of links; revoke."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from storyboard.shares.models import Guest, ShareLink
from storyboard.teams.models import hash_token

pytestmark = pytest.mark.django_db


def _make(client, clip, **data):
    return client.post(f"/team/share-links/clips/{clip.pk}/new/",
                       {"days": "14", **data}, follow=True)


def test_an_editor_makes_a_link_shown_once_and_stored_hashed(cast, client_for, shared_clip):
    editor = client_for(cast.editor)
    response = _make(editor, shared_clip, password="harbour", guests_may_decide="on")
    link = response.context["new"]["link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 32  # 24 random bytes: 192 bits
    share = ShareLink.objects.get()
    assert share.token_hash == hash_token(token) and token not in share.token_hash
    assert "harbour" not in share.password_hash and check_password("harbour",
                                                                    share.password_hash)
    assert share.guests_may_decide and share.created_by == cast.editor
    assert abs(share.expires_at - (timezone.now() + timedelta(days=14))) < timedelta(minutes=1)
    assert link in response.content.decode()
    # Nor does the browser keep the page that shows it, for the back button.
    assert "no-store" in response["Cache-Control"]
    # Shown once: the list no longer holds it.
    again = editor.get("/team/share-links/")
    assert link not in again.content.decode()
    assert "no-store" not in again.get("Cache-Control", "")


def test_two_links_have_different_tokens(cast, client_for, shared_clip):
    editor = client_for(cast.editor)
    links = {_make(editor, shared_clip).context["new"]["link"] for _ in range(2)}
    assert len(links) == 2


def test_expiry_is_chosen_from_the_list_only(cast, client_for, shared_clip):
    editor = client_for(cast.editor)
    response = _make(editor, shared_clip, days="5")
    assert "Expires after: choose 1, 3, 7, 14 or 30 days." in response.content.decode()
    assert not ShareLink.objects.exists()
    _make(editor, shared_clip, days="1")
    share = ShareLink.objects.get()
    assert share.expires_at < timezone.now() + timedelta(days=1, minutes=1)
    assert not share.has_password and not share.guests_may_decide


def test_a_reviewer_cannot_make_a_link(cast, client_for, shared_clip):
    response = client_for(cast.reviewer).post(
        f"/team/share-links/clips/{shared_clip.pk}/new/", {"days": "14"})
    assert response.status_code == 403 and not ShareLink.objects.exists()


def test_the_form_is_on_both_clip_pages_for_editors_only(cast, client_for, shared_clip):
    for path in (f"/gallery/clips/{shared_clip.pk}/", f"/review/clips/{shared_clip.pk}/"):
        assert "Make share link" in client_for(cast.editor).get(path).content.decode()
        assert "Make share link" not in client_for(cast.viewer).get(path).content.decode()


def test_the_team_sees_its_links_with_last_opened_and_guests(cast, client_for, share):
    link, token = share
    Guest.objects.create(share=link, name="Ana")
    Guest.objects.create(share=link, name="Ben")
    from django.test import Client

    Client().get(f"/s/{token}/")  # opened
    page = client_for(cast.viewer).get("/team/share-links/")
    row = page.context["links"][0]
    assert row.guest_count == 2 and row.last_opened_at is not None
    text = page.content.decode()
    assert "Coast" in text and "eddie" in text and "never" not in text
    assert "Revoke" not in text  # viewers see, editors revoke
    outsider = client_for(cast.outsider).get("/team/share-links/")
    assert list(outsider.context["links"]) == []


def test_revoke_stops_the_link_at_once(cast, client_for, share):
    link, token = share
    editor = client_for(cast.editor)
    assert "Revoke" in editor.get("/team/share-links/").content.decode()
    editor.post(f"/team/share-links/{link.pk}/revoke/")
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert "revoked" in editor.get("/team/share-links/").content.decode()
