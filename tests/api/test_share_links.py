"""Share links over the API: POST /clips/{id}/share-links (and /storyboards/{id}/share-links for
a storyboard's takes) answers the guest URL once (the token kept hashed), with the page's rules
(the expiry list, the password hashed, decision rights); DELETE /share-links/{id} stops the
guest pages and their media at once; viewers cannot, another team's clip or link is 404, a bad
body is 422 naming the field."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from clip_fixtures import make_clip  # noqa: F401  (shared fixture)
from django.contrib.auth.hashers import check_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from storyboard.boards.models import Storyboard
from storyboard.shares.models import ShareLink
from storyboard.teams.models import hash_token

pytestmark = pytest.mark.django_db

VIDEO = b"\x00\x00\x00\x18ftypmp42-api-shared-video"


@pytest.fixture
def clip(make_clip):  # noqa: F811  (the fixture imported above)
    clip = make_clip(title="Harbour", prompts=("Gulls", "The pier"), seconds=(3, 3))
    clip.file = default_storage.save("clips/api-shared.mp4", ContentFile(VIDEO))
    clip.save(update_fields=["file"])
    return clip


def _token_of(url: str) -> str:
    found = re.fullmatch(r"http://testserver/s/([A-Za-z0-9_-]{32,})/", url)
    assert found, url
    return found.group(1)


def _open(token: str, password: str | None = None) -> tuple[Client, str]:
    """A guest past the password (if any) and a name, and the page's video URL."""
    guest = Client()
    if password is not None:
        assert guest.post(f"/s/{token}/unlock/", {"password": password}).status_code == 302
    assert guest.post(f"/s/{token}/name/", {"name": "Ana"}).status_code == 302
    page = guest.get(f"/s/{token}/")
    assert page.status_code == 200
    return guest, re.search(r'src="(/s/[^"]+/media/[^"]+/)"', page.content.decode()).group(1)


def test_an_editor_makes_a_link_and_gets_its_url_once(cast, api_for, clip):
    response = api_for(cast.editor).post(f"/clips/{clip.pk}/share-links", {
        "expires_in_days": 3, "password": "harbour", "can_decide": True})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "url", "expires_at"}
    token = _token_of(body["url"])
    share = ShareLink.objects.get(pk=body["id"])
    assert share.token_hash == hash_token(token) and token not in share.token_hash
    assert share.clip == clip and share.team == cast.team_a and share.created_by == cast.editor
    assert share.guests_may_decide
    assert "harbour" not in share.password_hash and check_password("harbour",
                                                                    share.password_hash)
    assert abs(share.expires_at - (timezone.now() + timedelta(days=3))) < timedelta(minutes=1)
    assert body["expires_at"].startswith(share.expires_at.strftime("%Y-%m-%dT%H:%M"))
    # The URL opens the guest page, behind its password.
    assert "has a password" in Client().get(f"/s/{token}/").content.decode()
    _open(token, "harbour")
    # The team's list shows the link, never its URL again.
    listing = Client()
    listing.force_login(cast.editor)
    assert token not in listing.get("/team/share-links/").content.decode()


def test_defaults_are_14_days_no_password_comments_only(cast, api_for, clip):
    body = api_for(cast.owner).post(f"/clips/{clip.pk}/share-links", {}).json()
    share = ShareLink.objects.get(pk=body["id"])
    assert not share.has_password and not share.guests_may_decide
    assert abs(share.expires_at - (timezone.now() + timedelta(days=14))) < timedelta(minutes=1)
    for empty in ({"password": ""}, {"password": None}):
        again = api_for(cast.owner).post(f"/clips/{clip.pk}/share-links", empty).json()
        assert not ShareLink.objects.get(pk=again["id"]).has_password
    _open(_token_of(body["url"]))  # no password asked


def test_delete_revokes_the_page_and_its_media_at_once(cast, api_for, clip):
    api = api_for(cast.editor)
    body = api.post(f"/clips/{clip.pk}/share-links", {}).json()
    token = _token_of(body["url"])
    guest, video = _open(token)
    assert b"".join(guest.get(video).streaming_content) == VIDEO
    response = api.delete(f"/share-links/{body['id']}")
    assert response.status_code == 204 and response.content == b""
    assert ShareLink.objects.get(pk=body["id"]).revoked_at is not None
    assert guest.get(f"/s/{token}/").status_code == 404
    assert guest.get(video).status_code == 404
    assert guest.post(f"/s/{token}/comment/", {"seconds": "1", "text": "hi"}).status_code == 404
    # Revoking again changes nothing and still answers 204.
    revoked_at = ShareLink.objects.get(pk=body["id"]).revoked_at
    assert api.delete(f"/share-links/{body['id']}").status_code == 204
    assert ShareLink.objects.get(pk=body["id"]).revoked_at == revoked_at


def test_viewers_and_reviewers_cannot(cast, api_for, clip):
    made = api_for(cast.editor).post(f"/clips/{clip.pk}/share-links", {}).json()
    for user in (cast.viewer, cast.reviewer):
        api = api_for(user)
        refused = api.post(f"/clips/{clip.pk}/share-links", {})
        assert refused.status_code == 403 and "cannot do this" in refused.json()["detail"]
        assert api.delete(f"/share-links/{made['id']}").status_code == 403
    assert ShareLink.objects.count() == 1
    assert ShareLink.objects.get().revoked_at is None


def test_another_teams_clip_or_link_is_404(cast, api_for, clip):
    outsider = api_for(cast.outsider, cast.team_b)
    assert outsider.post(f"/clips/{clip.pk}/share-links", {}).status_code == 404
    made = api_for(cast.editor).post(f"/clips/{clip.pk}/share-links", {}).json()
    gone = outsider.delete(f"/share-links/{made['id']}")
    assert gone.status_code == 404 and gone["Content-Type"] == "application/json"
    assert ShareLink.objects.get(pk=made["id"]).revoked_at is None
    assert api_for(cast.editor).delete("/share-links/999999").status_code == 404
    assert api_for(cast.editor).post("/clips/999999/share-links", {}).status_code == 404


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"expires_in_days": 5}, "expires_in_days", "choose one of 1, 3, 7, 14, 30 days"),
    ({"expires_in_days": "14"}, "expires_in_days", "choose one of 1, 3, 7, 14, 30 days"),
    ({"expires_in_days": True}, "expires_in_days", "choose one of 1, 3, 7, 14, 30 days"),
    ({"expires_in_days": None}, "expires_in_days", "choose one of 1, 3, 7, 14, 30 days"),
    ({"password": "x" * 129}, "password", "at most 128 characters"),
    ({"password": 42}, "password", "valid string"),
    ({"can_decide": "maybe"}, "can_decide", "valid boolean"),
    ({"expires": 3}, "expires", "Extra inputs are not permitted"),
])
def test_a_bad_body_is_422_naming_the_field(cast, api_for, clip, body, field, words):
    response = api_for(cast.editor).post(f"/clips/{clip.pk}/share-links", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert response.json()["detail"].startswith(f"{field}: ") and words in \
        response.json()["detail"]
    assert not ShareLink.objects.exists()


def test_bad_ids_are_422_naming_them(cast, api_for):
    api = api_for(cast.editor)
    for path, field in ((f"/clips/{2**64}/share-links", "clip_id"),
                        ("/clips/abc/share-links", "clip_id"), ("/clips/0/share-links", "clip_id")):
        response = api.post(path, {})
        assert response.status_code == 422 and response.json()["field"] == field, path
    response = api.delete("/share-links/abc")
    assert response.status_code == 422 and response.json()["field"] == "link_id"


def test_a_clip_of_an_unfinished_job_is_409(cast, api_for, clip):
    clip.job.state = "failed"
    clip.job.save(update_fields=["state"])
    response = api_for(cast.editor).post(f"/clips/{clip.pk}/share-links", {})
    assert response.status_code == 409
    assert response.json()["detail"] == "Only clips of finished jobs can be shared."
    assert not ShareLink.objects.exists()


def test_the_schema_lists_the_operations_and_the_expiry_choices(cast):
    schema = Client().get("/api/v1/openapi.json").json()
    post = schema["paths"]["/api/v1/clips/{clip_id}/share-links"]["post"]
    assert "201" in post["responses"] and "422" in post["responses"]
    assert "delete" in schema["paths"]["/api/v1/share-links/{link_id}"]
    body = schema["components"]["schemas"]["ShareLinkIn"]["properties"]
    assert body["expires_in_days"]["enum"] == [1, 3, 7, 14, 30]
    assert body["expires_in_days"]["default"] == 14


def test_a_storyboards_takes_are_shared_the_same_way(cast, api_for, clip):
    board = clip.job.storyboard
    api = api_for(cast.editor)
    response = api.post(f"/storyboards/{board.pk}/share-links",
                        {"expires_in_days": 30, "can_decide": True})
    assert response.status_code == 201, response.content
    share = ShareLink.objects.get(pk=response.json()["id"])
    assert (share.storyboard, share.clip) == (board, None) and share.guests_may_decide
    token = _token_of(response.json()["url"])
    guest = Client()
    guest.post(f"/s/{token}/name/", {"name": "Ana"})
    assert f"/s/{token}/takes/{clip.pk}/" in guest.get(f"/s/{token}/").content.decode()
    assert api.delete(f"/share-links/{share.pk}").status_code == 204
    assert guest.get(f"/s/{token}/").status_code == 404
    assert guest.get(f"/s/{token}/takes/{clip.pk}/").status_code == 404
    bad = api.post(f"/storyboards/{board.pk}/share-links", {"expires_in_days": 2})
    assert bad.status_code == 422 and bad.json()["field"] == "expires_in_days"
    empty = Storyboard.objects.create(team=cast.team_a, title="Empty", created_by=cast.editor)
    refused = api.post(f"/storyboards/{empty.pk}/share-links", {})
    assert refused.status_code == 409 and "no finished take yet" in refused.json()["detail"]
    assert api_for(cast.viewer).post(f"/storyboards/{board.pk}/share-links", {}).status_code \
        == 403
    assert api_for(cast.outsider, cast.team_b).post(f"/storyboards/{board.pk}/share-links",
                                                    {}).status_code == 404
    assert ShareLink.objects.count() == 1
