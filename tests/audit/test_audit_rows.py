"""Each audited change leaves one row saying what happened, to what, by whom and from where:
through the pages, the API, a share link's guest page and the command line."""

from __future__ import annotations

import pytest
from audit.conftest import ACCESS_KEY, SECRET_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from storyboard.api.actions import create_token
from storyboard.api.models import ApiToken
from storyboard.audit.models import AuditEvent
from storyboard.shares.actions import create_share
from storyboard.shares.models import ShareLink
from storyboard.teams.actions import create_invitation
from storyboard.teams.models import Invitation, Membership, ProviderAccount

Kind = AuditEvent.Kind
HOME = "203.0.113.7"  # where the people of these tests connect from


def only_row(kind: str) -> AuditEvent:
    rows = list(AuditEvent.objects.filter(kind=kind))
    assert len(rows) == 1, [str(r) for r in AuditEvent.objects.all()]
    return rows[0]


def assert_by(row: AuditEvent, user, team, address: str = HOME) -> None:
    assert row.actor == user and row.actor_label == user.username
    assert row.team == team and row.address == address


@pytest.fixture
def owner(cast, client_for):
    return client_for(cast.owner)


def test_adding_a_provider_account_is_logged_without_its_credentials(cast, owner,
                                                                    name_sandbox):
    response = owner.post(reverse("teams:account_new"), {
        "dialect": "apimart", "label": "APIMart main", "api_key": "apimart-secret-123",
        "max_jobs": 3}, REMOTE_ADDR=HOME)
    assert response.status_code == 302
    row = only_row(Kind.ACCOUNT_ADDED)
    assert_by(row, cast.owner, cast.team_a)
    account = ProviderAccount.objects.get(label="APIMart main")
    assert (row.target_type, row.target_id, row.target_text) == (
        "provider account", str(account.pk), "APIMart main")
    assert row.details["dialect"] == "apimart" and row.details["max_jobs"] == 3
    assert "apimart-secret-123" not in str(row.details)


def test_a_new_secret_is_a_credentials_change_naming_the_field_not_the_value(cast, owner,
                                                                            kling):
    response = owner.post(reverse("teams:account_edit", args=[kling.pk]), {
        "dialect": "kling", "label": "Studio Kling", "max_jobs": 2, "sandbox": "on",
        "base_url": "http://127.0.0.1:9", "secret_key": "sk-the-new-one"}, REMOTE_ADDR=HOME)
    assert response.status_code == 302
    row = only_row(Kind.CREDENTIALS_CHANGED)
    assert_by(row, cast.owner, cast.team_a)
    assert row.target_id == str(kling.pk) and row.details["renewed"] == ["Secret key"]
    assert "sk-the-new-one" not in str(row.details) and SECRET_KEY not in str(row.details)


def test_changing_only_settings_is_an_account_change_with_before_and_after(cast, owner,
                                                                          kling):
    owner.post(reverse("teams:account_edit", args=[kling.pk]), {
        "dialect": "kling", "label": "Kling B", "max_jobs": 5, "sandbox": "on",
        "base_url": "http://127.0.0.1:9"}, REMOTE_ADDR=HOME)
    row = only_row(Kind.ACCOUNT_CHANGED)
    assert row.details == {"changed": {"label": ["Studio Kling", "Kling B"],
                                       "max_jobs": [2, 5]}, "renewed": []}
    assert not AuditEvent.objects.filter(kind=Kind.CREDENTIALS_CHANGED).exists()


def test_removing_an_account_is_logged_and_outlives_the_account(cast, owner, kling):
    owner.post(reverse("teams:account_remove", args=[kling.pk]), REMOTE_ADDR=HOME)
    assert not ProviderAccount.objects.filter(pk=kling.pk).exists()
    row = only_row(Kind.ACCOUNT_REMOVED)
    assert_by(row, cast.owner, cast.team_a)
    assert (row.target_id, row.target_text) == (str(kling.pk), "Studio Kling")


def test_an_invitation_is_logged_without_its_link(cast, owner):
    owner.post(reverse("teams:invite"), {"role": "editor", "note": "for Sam"},
               REMOTE_ADDR=HOME)
    invitation = Invitation.objects.get(note="for Sam")
    row = only_row(Kind.INVITATION_CREATED)
    assert_by(row, cast.owner, cast.team_a)
    assert row.target_id == str(invitation.pk)
    assert row.details["role"] == "editor" and row.details["note"] == "for Sam"
    assert invitation.token_hash not in str(row.details)
    link = owner.get(reverse("teams:settings")).context["new_link"]
    assert link.rsplit("/", 2)[-2] not in str(row.details) + row.target_text


def test_withdrawing_an_invitation_is_logged_once(cast, owner):
    invitation, _ = create_invitation(cast.team_a, cast.owner, "viewer")
    owner.post(reverse("teams:revoke", args=[invitation.pk]), REMOTE_ADDR=HOME)
    owner.post(reverse("teams:revoke", args=[invitation.pk]), REMOTE_ADDR=HOME)
    row = only_row(Kind.INVITATION_REVOKED)
    assert_by(row, cast.owner, cast.team_a)
    assert row.target_id == str(invitation.pk)


def test_signing_up_with_an_invitation_is_logged_as_the_new_member(cast):
    _, token = create_invitation(cast.team_a, cast.owner, "reviewer")
    response = Client().post(reverse("teams:accept", args=[token]), {
        "username": "sam", "password1": "a long pass phrase 42",
        "password2": "a long pass phrase 42"}, REMOTE_ADDR=HOME)
    assert response.status_code == 302
    row = only_row(Kind.MEMBER_JOINED)
    sam = Membership.objects.get(user__username="sam")
    assert_by(row, sam.user, cast.team_a)
    assert row.target_text == "sam" and row.details["role"] == "reviewer"


def test_a_role_change_says_from_what_to_what(cast, owner):
    member = cast.member(cast.editor)
    owner.post(reverse("teams:change_role", args=[member.pk]), {"role": "reviewer"},
               REMOTE_ADDR=HOME)
    row = only_row(Kind.ROLE_CHANGED)
    assert_by(row, cast.owner, cast.team_a)
    assert row.target_text == "eddie"
    assert row.details == {"member": "eddie", "from": "editor", "to": "reviewer"}


def test_choosing_the_same_role_again_logs_nothing(cast, owner):
    owner.post(reverse("teams:change_role", args=[cast.member(cast.editor).pk]),
               {"role": "editor"})
    assert not AuditEvent.objects.filter(kind=Kind.ROLE_CHANGED).exists()


def test_removing_a_member_is_logged_with_their_role(cast, owner):
    member = cast.member(cast.viewer)
    owner.post(reverse("teams:remove_member", args=[member.pk]), REMOTE_ADDR=HOME)
    row = only_row(Kind.MEMBER_REMOVED)
    assert_by(row, cast.owner, cast.team_a)
    assert row.details == {"member": "victor", "role": "viewer"}


def test_leaving_is_a_removal_by_the_member_themself(cast, client_for):
    client_for(cast.reviewer).post(reverse("teams:leave"), REMOTE_ADDR=HOME)
    row = only_row(Kind.MEMBER_REMOVED)
    assert_by(row, cast.reviewer, cast.team_a)
    assert row.target_text == "rita"


def test_a_paid_submission_is_logged_with_the_estimated_cost(cast, client_for, board, kling,
                                                            rate_card):
    b = board(kling)
    response = client_for(cast.editor).post(reverse("jobs:submit", args=[b.pk]), {
        "submit_key": "paid-1", "version": str(b.version)}, REMOTE_ADDR=HOME)
    assert response.status_code < 400
    job = cast.team_a.jobs.get()
    row = only_row(Kind.JOB_SUBMITTED)
    assert_by(row, cast.editor, cast.team_a)
    assert (row.target_type, row.target_id, row.target_text) == ("job", str(job.pk), "Coast")
    assert row.details["estimated_cost"] == "0.420" and row.details["unit"] == "USD"
    assert row.details["seconds"] == 5 and row.details["account"] == "Studio Kling"
    assert "0.084" in row.details["estimate"]


def test_a_retry_is_another_paid_submission(cast, client_for, board, kling, rate_card):
    editor = client_for(cast.editor)
    b = board(kling)
    editor.post(reverse("jobs:submit", args=[b.pk]), {"submit_key": "paid-1",
                                                      "version": str(b.version)})
    first = cast.team_a.jobs.get()
    first.state = "failed"
    first.save()
    editor.post(reverse("jobs:retry", args=[first.pk]), REMOTE_ADDR=HOME)
    retry = cast.team_a.jobs.exclude(pk=first.pk).get()
    rows = AuditEvent.objects.filter(kind=Kind.JOB_SUBMITTED).order_by("created_at")
    assert [r.target_id for r in rows] == [str(first.pk), str(retry.pk)]
    assert rows[1].details["estimated_cost"] == "0.420" and rows[1].address == HOME


def test_a_free_animatic_submission_is_not_a_paid_one(cast, client_for, board):
    b = board()
    client_for(cast.editor).post(reverse("jobs:submit", args=[b.pk]), {
        "submit_key": "free-1", "version": str(b.version)})
    assert cast.team_a.jobs.count() == 1
    assert not AuditEvent.objects.filter(kind=Kind.JOB_SUBMITTED).exists()


def test_an_approval_and_a_retake_name_the_take_and_the_reviewer(cast, client_for,
                                                                 make_clip):
    clip = make_clip(title="Harbour")
    reviewer = client_for(cast.reviewer)
    reviewer.post(reverse("review:approve", args=[clip.pk]), REMOTE_ADDR=HOME)
    approval = only_row(Kind.CLIP_APPROVED)
    assert_by(approval, cast.reviewer, cast.team_a)
    assert (approval.target_type, approval.target_id, approval.target_text) == (
        "clip", str(clip.pk), "Harbour")
    reviewer.post(reverse("review:retake", args=[clip.pk]), {"note": "Slower pan"},
                  REMOTE_ADDR=HOME)
    retake = only_row(Kind.RETAKE_REQUESTED)
    assert_by(retake, cast.reviewer, cast.team_a)
    assert retake.details["note"] == "Slower pan" and retake.details["revision"]


def test_a_guests_decision_is_logged_as_the_guest(cast, make_clip):
    clip = make_clip(title="Harbour")
    share, token = create_share(clip, cast.editor, 7, "", True)
    guest = Client()
    guest.post(f"/s/{token}/name/", {"name": "Ana"}, REMOTE_ADDR=HOME)
    guest.post(f"/s/{token}/decide/", {"decision": "approve"}, REMOTE_ADDR=HOME)
    row = only_row(Kind.CLIP_APPROVED)
    assert (row.actor, row.actor_label, row.address) == (None, "guest Ana", HOME)
    assert row.details["share_link"] == share.pk


def test_share_links_made_and_revoked_are_logged_without_token_or_password(cast, client_for,
                                                                           make_clip):
    clip = make_clip(title="Harbour")
    editor = client_for(cast.editor)
    editor.post(reverse("shares:create", args=[clip.pk]), {"days": "7",
                "password": "harbour-pass", "guests_may_decide": "on"}, REMOTE_ADDR=HOME)
    share = ShareLink.objects.get()
    made = only_row(Kind.SHARE_CREATED)
    assert_by(made, cast.editor, cast.team_a)
    assert (made.target_id, made.target_text) == (str(share.pk), "Harbour")
    assert made.details["protected"] is True and made.details["guests_may_decide"] is True
    assert "harbour-pass" not in str(made.details) and share.token_hash not in str(made.details)
    editor.post(reverse("shares:revoke", args=[share.pk]), REMOTE_ADDR=HOME)
    editor.post(reverse("shares:revoke", args=[share.pk]), REMOTE_ADDR=HOME)
    revoked = only_row(Kind.SHARE_REVOKED)
    assert_by(revoked, cast.editor, cast.team_a)
    assert revoked.target_id == str(share.pk)


def test_api_tokens_made_and_revoked_on_the_page_are_logged_without_the_token(cast, owner):
    owner.post(reverse("api_tokens:create"), {"name": "render farm",
               "member": cast.member(cast.editor).pk}, REMOTE_ADDR=HOME)
    token = ApiToken.objects.get()
    made = only_row(Kind.TOKEN_CREATED)
    assert_by(made, cast.owner, cast.team_a)
    assert made.details == {"name": "render farm", "acts_as": "eddie"}
    shown = owner.get(reverse("api_tokens:index")).content.decode()
    assert "sbt_" in shown  # the page showed it once; the log never has it
    assert "sbt_" not in str(made.details) + made.target_text
    owner.post(reverse("api_tokens:revoke", args=[token.pk]), REMOTE_ADDR=HOME)
    revoked = only_row(Kind.TOKEN_REVOKED)
    assert_by(revoked, cast.owner, cast.team_a)
    assert revoked.target_text == "render farm"


def test_a_change_made_with_an_api_token_names_the_token(cast, make_clip):
    clip = make_clip(title="Harbour")
    _, raw = create_token(cast.member(cast.editor), "render farm")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    made = api.post(f"/api/v1/clips/{clip.pk}/share-links", {}, content_type="application/json",
                    REMOTE_ADDR=HOME)
    assert made.status_code == 201, made.content
    row = only_row(Kind.SHARE_CREATED)
    assert (row.actor, row.actor_label, row.address) == (cast.editor, "api token render farm",
                                                         HOME)


def test_the_command_line_is_named_as_such(cast, capsys):
    call_command("accounts", "add", "--team", "Team A", "--dialect", "apimart", "--label",
                 "From the shell", "--api-key", "shell-key-123")
    row = only_row(Kind.ACCOUNT_ADDED)
    assert (row.actor, row.actor_label, row.address) == (None, "command line", None)
    assert "shell-key-123" not in str(row.details)


def test_an_address_behind_a_trusted_proxy_is_the_clients(cast, owner, settings):
    settings.STORYBOARD_TRUSTED_PROXIES = ["10.0.0.0/8"]
    owner.post(reverse("teams:invite"), {"role": "viewer"}, REMOTE_ADDR="10.0.0.2",
               HTTP_X_FORWARDED_FOR=f"{HOME}, 10.0.0.3")
    assert only_row(Kind.INVITATION_CREATED).address == HOME


def test_the_account_fixture_keeps_its_credentials_out_of_the_log(kling):
    assert ACCESS_KEY not in str(only_row(Kind.ACCOUNT_ADDED).details)
