"""The audit row and its change are one transaction: a change never lands without its row, and
a change that rolls back leaves no row. And the log never holds a credential, token or
password."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from audit.conftest import ACCESS_KEY, SECRET_KEY
from django.db import DatabaseError, transaction

from storyboard.api.actions import create_token, revoke_token
from storyboard.api.models import ApiToken
from storyboard.audit import actions as audit
from storyboard.audit.models import AuditEvent
from storyboard.jobs.actions import submit_job
from storyboard.review.actions import approve_clip, request_retake
from storyboard.review.models import Decision
from storyboard.shares.actions import create_share, revoke_share
from storyboard.shares.models import ShareLink
from storyboard.teams import actions as teams
from storyboard.teams.accounts import AccountInput, add_account, change_account, remove_account
from storyboard.teams.models import Invitation, Membership, ProviderAccount

Kind = AuditEvent.Kind


@dataclass
class World:
    cast: object
    kling: ProviderAccount
    clip: object
    board: object


@dataclass(frozen=True)
class Change:
    kind: str
    do: Callable[[World], object]
    done: Callable[[World], bool]  # whether the change is in the database


def _share(w):
    return create_share(w.clip, w.cast.editor, 7, "pw")[0]


def _token(w):
    return create_token(w.cast.member(w.cast.editor), "farm")[0]


CHANGES = {
    "add account": Change(
        Kind.ACCOUNT_ADDED,
        lambda w: add_account(w.cast.team_a, AccountInput("apimart", "New", {"api_key": "k"})),
        lambda w: ProviderAccount.objects.filter(label="New").exists()),
    "change credentials": Change(
        Kind.CREDENTIALS_CHANGED,
        lambda w: change_account(w.kling, AccountInput(
            "kling", "Renamed", {"secret_key": "new"}, base_url=w.kling.base_url,
            sandbox=True)),
        lambda w: ProviderAccount.objects.filter(label="Renamed").exists()),
    "remove account": Change(
        Kind.ACCOUNT_REMOVED, lambda w: remove_account(w.kling),
        lambda w: not ProviderAccount.objects.filter(label="Studio Kling").exists()),
    "invite": Change(
        Kind.INVITATION_CREATED,
        lambda w: teams.create_invitation(w.cast.team_a, w.cast.owner, "editor", "tx"),
        lambda w: Invitation.objects.filter(note="tx").exists()),
    "withdraw an invitation": Change(
        Kind.INVITATION_REVOKED,
        lambda w: teams.revoke_invitation(Invitation.objects.get(note="pending")),
        lambda w: Invitation.objects.get(note="pending").revoked_at is not None),
    "join": Change(
        Kind.MEMBER_JOINED,
        lambda w: teams.sign_up_with_invitation(w.token, "sam", "a long pass phrase 42"),
        lambda w: Membership.objects.filter(user__username="sam").exists()),
    "change a role": Change(
        Kind.ROLE_CHANGED,
        lambda w: teams.change_role(w.cast.member(w.cast.editor), "viewer"),
        lambda w: w.cast.member(w.cast.editor).role == "viewer"),
    "remove a member": Change(
        Kind.MEMBER_REMOVED, lambda w: teams.remove_member(w.cast.member(w.cast.viewer)),
        lambda w: not Membership.objects.filter(user=w.cast.viewer).exists()),
    "paid submission": Change(
        Kind.JOB_SUBMITTED, lambda w: submit_job(w.board, w.cast.editor, "tx-key"),
        lambda w: w.cast.team_a.jobs.filter(submit_key="tx-key").exists()),
    "approve": Change(
        Kind.CLIP_APPROVED, lambda w: approve_clip(w.clip, w.cast.reviewer),
        lambda w: Decision.objects.filter(kind="approve").exists()),
    "retake": Change(
        Kind.RETAKE_REQUESTED, lambda w: request_retake(w.clip, w.cast.reviewer, "Slower"),
        lambda w: Decision.objects.filter(kind="retake").exists()),
    "make a share link": Change(
        Kind.SHARE_CREATED, _share, lambda w: ShareLink.objects.exists()),
    "revoke a share link": Change(
        Kind.SHARE_REVOKED, lambda w: revoke_share(w.share),
        lambda w: ShareLink.objects.get(pk=w.share.pk).revoked_at is not None),
    "make an API token": Change(
        Kind.TOKEN_CREATED, _token, lambda w: ApiToken.objects.exists()),
    "revoke an API token": Change(
        Kind.TOKEN_REVOKED, lambda w: revoke_token(w.token_row),
        lambda w: ApiToken.objects.get(pk=w.token_row.pk).revoked_at is not None),
}


@pytest.fixture
def world(cast, kling, rate_card, board, make_clip):
    w = World(cast, kling, make_clip(title="Harbour"), board(kling))
    teams.create_invitation(cast.team_a, cast.owner, "viewer", "pending")
    w.token = teams.create_invitation(cast.team_a, cast.owner, "viewer", "for sam")[1]
    w.share = _share(w)
    w.token_row = _token(w)
    AuditEvent.objects.all().delete()  # what the setting up logged
    ShareLink.objects.exclude(pk=w.share.pk).delete()
    return w


def _prepare(name, w):
    # "make" changes start from none of their kind; the setting up made one of each.
    if name == "make a share link":
        ShareLink.objects.all().delete()
    if name == "make an API token":
        ApiToken.objects.all().delete()


def _secrets(world, made) -> list[str]:
    """Every credential, token, password and hash the change or its setting up handled."""
    found = [ACCESS_KEY, SECRET_KEY, "a long pass phrase 42", world.token, "pw",
             world.kling.credentials_encrypted]
    if isinstance(made, tuple):  # (row, the token shown once)
        found.append(made[1])
    found += ApiToken.objects.values_list("token_hash", flat=True)
    found += ShareLink.objects.values_list("token_hash", flat=True)
    found += ShareLink.objects.exclude(password_hash="").values_list("password_hash", flat=True)
    found += Invitation.objects.values_list("token_hash", flat=True)
    found += ProviderAccount.objects.values_list("credentials_encrypted", flat=True)
    return found


@pytest.mark.parametrize("name", CHANGES)
def test_each_change_writes_one_row_and_no_secret(name, world):
    change = CHANGES[name]
    _prepare(name, world)
    made = change.do(world)
    assert change.done(world)
    rows = list(AuditEvent.objects.values())
    assert [row["kind"] for row in rows] == [change.kind]
    words = {str(v) for v in rows[0].values()} | {str(v) for v in rows[0]["details"].values()}
    text = repr(rows)
    assert not [s for s in _secrets(world, made) if s in words or (len(s) > 6 and s in text)]


@pytest.mark.parametrize("name", CHANGES)
def test_a_change_whose_row_cannot_be_written_does_not_happen(name, world, monkeypatch):
    change = CHANGES[name]
    _prepare(name, world)

    def refuse(*args, **kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(AuditEvent, "save", refuse)
    with pytest.raises(DatabaseError):
        change.do(world)
    monkeypatch.undo()
    assert not change.done(world), f"{name}: the change stayed without its audit row"


class RolledBack(Exception):
    pass


@pytest.mark.parametrize("name", CHANGES)
def test_a_change_that_rolls_back_leaves_no_row(name, world):
    change = CHANGES[name]
    _prepare(name, world)
    with pytest.raises(RolledBack), transaction.atomic():
        change.do(world)
        assert AuditEvent.objects.filter(kind=change.kind).exists()
        raise RolledBack
    assert not change.done(world)
    assert not AuditEvent.objects.filter(kind=change.kind).exists()


@pytest.mark.parametrize("key", ["password", "api_key", "token", "secret_key", "credentials",
                                 "token_hash", "Authorization"])
def test_record_refuses_details_that_name_a_secret(cast, key):
    with pytest.raises(audit.SecretInDetails):
        audit.record(Kind.ACCOUNT_CHANGED, team=cast.team_a, details={"nested": [{key: "x"}]})
    assert not AuditEvent.objects.exists()
