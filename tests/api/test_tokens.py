"""API tokens: made on the settings page or the command line, shown once, stored hashed, and
refused at once when revoked or when their member leaves; the role is the member's now."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from storyboard.api.models import ApiToken
from storyboard.teams.actions import change_role, remove_member


def run(*args) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_only_the_token_and_stores_only_its_hash(cast):
    printed = run("create", "--team", "Team A", "--user", "eddie", "--name", "farm")
    token = printed.strip()
    assert printed == token + "\n" and token.startswith("sbt_") and len(token) > 40
    row = ApiToken.objects.get(name="farm")
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.user == cast.editor and row.team == cast.team_a
    assert token not in repr(list(ApiToken.objects.values()))


def test_the_command_lists_and_revokes_by_name(cast, client):
    token = run("create", "--team", "Team A", "--user", "eddie", "--name", "farm").strip()
    assert "farm\teddie (editor)" in run("list", "--team", "Team A")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/jobs", headers=headers).status_code == 200
    assert "Revoked" in run("revoke", "--team", "Team A", "--name", "farm")
    response = client.get("/api/v1/jobs", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "Unknown or revoked API token."
    assert run("list", "--team", "Team A") == ""


def test_the_command_names_what_is_wrong(cast):
    with pytest.raises(CommandError, match="--user 'oscar': not a member of Team A"):
        run("create", "--team", "Team A", "--user", "oscar")
    run("create", "--team", "Team A", "--user", "eddie", "--name", "farm")
    with pytest.raises(CommandError, match="already has a token called “farm”"):
        run("create", "--team", "Team A", "--user", "rita", "--name", "farm")
    with pytest.raises(CommandError, match="at most 60 characters"):
        run("create", "--team", "Team A", "--user", "rita", "--name", "x" * 61)
    with pytest.raises(CommandError, match="no live token"):
        run("revoke", "--team", "Team A", "--name", "nothing")


def test_a_removed_members_token_stops_at_once(cast, api_for):
    api = api_for(cast.editor)
    assert api.get("/jobs").status_code == 200
    remove_member(cast.member(cast.editor))
    response = api.get("/jobs")
    assert response.status_code == 401
    assert "no longer a member" in response.json()["detail"]


def test_the_role_is_the_members_role_now(cast, api_for):
    api = api_for(cast.editor)
    body = {"title": "By token", "prompt": "A cat", "duration": "5"}
    assert api.post("/storyboards", body).status_code == 201
    change_role(cast.member(cast.editor), "viewer")
    response = api.post("/storyboards", body)
    assert response.status_code == 403
    assert response.json() == {"detail": "This token acts as a viewer of Team A, who cannot do "
                                         "this.", "field": None}


def test_last_used_is_recorded(cast, api_for):
    api = api_for(cast.viewer)
    assert ApiToken.objects.get().last_used_at is None
    api.get("/clips")
    assert ApiToken.objects.get().last_used_at is not None


def test_an_owner_makes_a_token_on_the_settings_page_and_sees_it_once(cast, client_for):
    client = client_for(cast.owner, csrf=False)
    settings_page = client.get("/team/").content.decode()
    assert 'href="/team/api-tokens/"' in settings_page
    response = client.post("/team/api-tokens/new/", {
        "name": "render farm", "member": cast.member(cast.viewer).pk}, follow=True)
    page = response.content.decode()
    token = page.split('id="new-token" readonly value="')[1].split('"')[0]
    assert token.startswith("sbt_")
    assert 'data-copy-from="new-token"' in page
    assert "render farm" in page and "victor (viewer)" in page
    assert token not in client.get("/team/api-tokens/").content.decode()  # shown once
    headers = {"Authorization": f"Bearer {token}"}
    api_client = type(client)()
    assert api_client.get("/api/v1/jobs", headers=headers).status_code == 200
    assert api_client.post("/api/v1/storyboards", {"title": "x"}, content_type="application/json",
                           headers=headers).status_code == 403


def test_revoking_on_the_page_takes_effect_at_once(cast, client_for, token_for, client):
    token = token_for(cast.editor)
    row = ApiToken.objects.get()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/jobs", headers=headers).status_code == 200
    client_for(cast.owner).post(f"/team/api-tokens/{row.pk}/revoke/")
    assert client.get("/api/v1/jobs", headers=headers).status_code == 401


def test_a_bad_name_is_refused_naming_the_field(cast, client_for):
    response = client_for(cast.owner).post("/team/api-tokens/new/", {
        "name": "  ", "member": cast.member(cast.viewer).pk})
    assert response.status_code == 400
    assert "Name: This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()
