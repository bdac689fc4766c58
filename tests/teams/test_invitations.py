import re
from datetime import timedelta

import pytest
from conftest import PASSWORD
from django.test import Client
from django.utils import timezone

from storyboard.teams.actions import create_invitation
from storyboard.teams.models import Invitation, Membership


def _link_from(page: str) -> str:
    match = re.search(r'id="new-link" readonly value="http://testserver(/team/join/[^"]+/)"', page)
    assert match, "the new invitation link is shown"
    return match.group(1)


def test_an_owner_creates_a_one_time_link_with_a_role(cast, client_for):
    client = client_for(cast.owner)
    response = client.post("/team/invitations/", {"role": "reviewer", "note": "Ana (colourist)"})
    # Post/redirect/get: the POST answers with a redirect to the team page...
    assert response.status_code == 302
    assert response["Location"] == "/team/"
    invitation = Invitation.objects.get(team=cast.team_a)
    assert invitation.role == "reviewer"
    # ...and the token is never part of the address.
    page = client.get(response["Location"])
    link = _link_from(page.content.decode())
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in response["Location"]
    assert "Copy it now: it is shown only once." in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    # Only a hash of the token is stored.
    assert token not in invitation.token_hash
    assert "Ana (colourist)" in page.content.decode()


def test_the_link_is_shown_once_and_a_reload_creates_nothing(cast, client_for):
    client = client_for(cast.owner)
    response = client.post("/team/invitations/", {"role": "editor"}, follow=True)
    link = _link_from(response.content.decode())
    assert response.redirect_chain == [("/team/", 302)]
    reloaded = client.get("/team/")
    assert reloaded.status_code == 200
    assert link not in reloaded.content.decode()
    assert 'id="new-link"' not in reloaded.content.decode()
    assert Invitation.objects.filter(team=cast.team_a).count() == 1


def test_the_link_is_not_shown_in_another_team(cast, client_for):
    cast.team_b.memberships.create(user=cast.owner, role="owner")
    client = client_for(cast.owner)
    client.post("/team/invitations/", {"role": "editor"})
    client.post("/team/switch/", {"team": cast.team_b.id})
    assert 'id="new-link"' not in client.get("/team/").content.decode()


def test_the_settings_page_offers_a_copy_button_only_with_a_link(cast, client_for):
    client = client_for(cast.owner)
    page = client.post("/team/invitations/", {"role": "editor"}, follow=True).content.decode()
    assert 'aria-label="Copy the invitation link"' in page
    assert "js/copy_link.js" in page
    assert 'aria-label="Copy the invitation link"' not in client.get("/team/").content.decode()


def test_a_newcomer_creates_a_login_through_the_link_and_joins(cast):
    _, token = create_invitation(cast.team_a, cast.owner, "editor")
    client = Client()
    page = client.get(f"/team/join/{token}/").content.decode()
    assert "Join Team A" in page and "as\n    <strong>editor</strong>" in page
    response = client.post(f"/team/join/{token}/", {"username": "nina", "password1": PASSWORD,
                                                    "password2": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/storyboards/"
    membership = Membership.objects.get(user__username="nina")
    assert (membership.team, membership.role) == (cast.team_a, "editor")
    assert response.context["current_team"] == cast.team_a


def test_a_signed_in_user_joins_with_one_click(cast, client_for):
    _, token = create_invitation(cast.team_a, cast.owner, "viewer")
    client = client_for(cast.outsider)
    assert b"You are signed in as oscar" in client.get(f"/team/join/{token}/").content
    client.post(f"/team/join/{token}/")
    assert Membership.objects.get(user=cast.outsider, team=cast.team_a).role == "viewer"
    assert client.get("/team/").context["current_team"] == cast.team_a


def test_a_used_link_is_refused_and_changes_nothing(cast, client_for):
    _, token = create_invitation(cast.team_a, cast.owner, "owner")
    client_for(cast.outsider).post(f"/team/join/{token}/")
    client = Client()
    response = client.post(f"/team/join/{token}/", {"username": "mallory",
                                                    "password1": PASSWORD,
                                                    "password2": PASSWORD})
    assert response.status_code == 410
    assert b"already been used" in response.content
    assert not Membership.objects.filter(user__username="mallory").exists()


def test_an_expired_link_is_refused(cast, client_for):
    invitation, token = create_invitation(cast.team_a, cast.owner, "editor")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now()
                                                       - timedelta(seconds=1))
    response = client_for(cast.outsider).post(f"/team/join/{token}/")
    assert response.status_code == 410
    assert b"expired" in response.content
    assert not Membership.objects.filter(user=cast.outsider, team=cast.team_a).exists()


def test_a_withdrawn_link_is_refused(cast, client_for):
    invitation, token = create_invitation(cast.team_a, cast.owner, "editor")
    client_for(cast.owner).post(f"/team/invitations/{invitation.pk}/revoke/")
    response = client_for(cast.outsider).post(f"/team/join/{token}/")
    assert response.status_code == 410
    assert b"withdrawn" in response.content


def test_a_made_up_link_is_not_found(db, client):
    response = client.get("/team/join/not-a-real-token/")
    assert response.status_code == 404
    assert b"not valid" in response.content


def test_an_existing_member_does_not_use_up_the_link(cast, client_for):
    invitation, token = create_invitation(cast.team_a, cast.owner, "owner")
    client = client_for(cast.viewer)
    assert b"already a member" in client.get(f"/team/join/{token}/").content
    response = client.post(f"/team/join/{token}/")
    assert response.status_code == 409
    invitation.refresh_from_db()
    assert invitation.state == "pending"
    assert cast.member(cast.viewer).role == "viewer"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"username": "nina", "password1": PASSWORD, "password2": "different"},
         b"The two passwords differ."),
        ({"username": "nina", "password1": "123", "password2": "123"}, b"too short"),
        ({"username": "eddie", "password1": PASSWORD, "password2": PASSWORD}, b"is taken"),
        ({"username": "", "password1": PASSWORD, "password2": PASSWORD}, b"Username"),
        ({"username": "n" * 151, "password1": PASSWORD, "password2": PASSWORD},
         b"at most 150 characters"),
    ],
)
def test_a_bad_sign_up_says_what_is_wrong_and_keeps_the_link(cast, data, message):
    invitation, token = create_invitation(cast.team_a, cast.owner, "editor")
    users = Membership.objects.count()
    response = Client().post(f"/team/join/{token}/", data)
    assert response.status_code == 400
    assert message in response.content
    invitation.refresh_from_db()
    assert invitation.state == "pending"
    assert Membership.objects.count() == users


def test_an_invitation_with_an_unknown_role_is_refused(cast, client_for):
    response = client_for(cast.owner).post("/team/invitations/", {"role": "emperor"})
    assert response.status_code == 400
    assert b"Role: Select a valid choice" in response.content
    assert not Invitation.objects.exists()


def test_a_non_owner_cannot_invite(cast, client_for):
    response = client_for(cast.editor).post("/team/invitations/", {"role": "owner"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_housekeeping_drops_long_ended_invitations_and_keeps_pending_ones(cast):
    from storyboard.teams.tasks import housekeeping

    old, _ = create_invitation(cast.team_a, cast.owner, "editor")
    pending, _ = create_invitation(cast.team_a, cast.owner, "editor")
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=31))
    assert housekeeping()["invitations"] == 1
    assert list(Invitation.objects.values_list("pk", flat=True)) == [pending.pk]
