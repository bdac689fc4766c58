"""Writes on teams, memberships and invitations. Views parse input, call one of these, render.

Each raises TeamError with a message for the user when the change is not allowed; nothing is
changed in that case (every function runs in one transaction).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from storyboard.audit import actions as audit
from storyboard.teams.models import Invitation, Membership, Team, hash_token
from storyboard.teams.roles import Role


class TeamError(Exception):
    """A team change refused for a reason the user should read."""


def create_team(user, name: str) -> Team:
    name = name.strip()
    if not name:
        raise TeamError("Team name: enter a name.")
    if len(name) > 80:
        raise TeamError(f"Team name: at most 80 characters (this one has {len(name)}).")
    with transaction.atomic():
        team = Team.objects.create(name=name)
        Membership.objects.create(team=team, user=user, role=Role.OWNER)
    return team


def rename_team(team: Team, name: str) -> Team:
    name = name.strip()
    if not name:
        raise TeamError("Team name: enter a name.")
    if len(name) > 80:
        raise TeamError(f"Team name: at most 80 characters (this one has {len(name)}).")
    team.name = name
    team.save(update_fields=["name"])
    return team


def create_invitation(team: Team, created_by, role: str, note: str = "") -> tuple[Invitation, str]:
    """Returns the invitation and its token; the token is not stored and cannot be shown again."""
    if role not in Role.values:
        raise TeamError(f"Role: choose one of {', '.join(Role.values)}.")
    note = note.strip()
    if len(note) > 120:
        raise TeamError(f"Note: at most 120 characters (this one has {len(note)}).")
    token, token_hash = Invitation.new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            team=team,
            role=role,
            note=note,
            token_hash=token_hash,
            created_by=created_by,
            expires_at=timezone.now() + timedelta(days=settings.STORYBOARD_INVITATION_DAYS),
        )
        audit.record(audit.Kind.INVITATION_CREATED, team=team, target=invitation,
                     target_text=f"invitation as {role}",
                     details={"role": role, "note": note, "expires_at": invitation.expires_at})
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    return Invitation.objects.select_related("team").filter(token_hash=hash_token(token)).first()


def invitation_problem(invitation: Invitation | None) -> str | None:
    if invitation is None:
        return "This invitation link is not valid. Ask the team's owner for a new one."
    return {
        "used": "This invitation link has already been used. Ask the team's owner for a new one.",
        "revoked": "This invitation was withdrawn by the team's owner.",
        "expired": "This invitation link has expired. Ask the team's owner for a new one.",
    }.get(invitation.state)


def accept_invitation(token: str, user) -> Membership:
    with transaction.atomic():
        invitation = find_invitation(token)
        problem = invitation_problem(invitation)
        if problem:
            raise TeamError(problem)
        if Membership.objects.filter(team=invitation.team, user=user).exists():
            raise TeamError(f"You are already a member of {invitation.team.name}.")
        # Claim the invitation with a conditional UPDATE: of two people opening the same link at
        # once, exactly one gets the row.
        claimed = Invitation.objects.pending().filter(pk=invitation.pk).update(
            used_at=timezone.now(), used_by=user
        )
        if claimed != 1:
            raise TeamError(
                "This invitation link has already been used. Ask the team's owner for a new one."
            )
        membership = Membership.objects.create(team=invitation.team, user=user,
                                               role=invitation.role)
        # The new member acts: a sign-up is not signed in yet when this runs.
        audit.record(audit.Kind.MEMBER_JOINED, team=invitation.team, target=membership,
                     target_text=user.get_username(), user=user,
                     details={"role": invitation.role, "invitation": invitation.pk})
        return membership


def sign_up_with_invitation(token: str, username: str, password: str):
    """Creates the account and the membership together, or neither."""
    User = get_user_model()
    with transaction.atomic():
        try:
            user = User.objects.create_user(username=username, password=password)
        except IntegrityError:
            raise TeamError(f"Username: {username!r} is taken; choose another.") from None
        accept_invitation(token, user)
    return user


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.state != "pending":
        raise TeamError(f"This invitation is already {invitation.state}.")
    with transaction.atomic():
        if Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        ):
            audit.record(audit.Kind.INVITATION_REVOKED, team=invitation.team_id,
                         target=invitation, target_text=f"invitation as {invitation.role}",
                         details={"role": invitation.role, "note": invitation.note})


def _other_owners(membership: Membership) -> int:
    # Lock the team's owner rows so two owners demoting each other at once cannot both succeed.
    owners = Membership.objects.select_for_update().filter(team=membership.team_id,
                                                           role=Role.OWNER)
    return sum(1 for m in owners if m.pk != membership.pk)


def change_role(membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise TeamError(f"Role: choose one of {', '.join(Role.values)}.")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == Role.OWNER and role != Role.OWNER and not _other_owners(membership):
            raise TeamError(
                f"{membership.user.username} is the last owner of {membership.team.name}: "
                "make someone else an owner first."
            )
        before, membership.role = membership.role, role
        membership.save(update_fields=["role"])
        if before != role:
            audit.record(audit.Kind.ROLE_CHANGED, team=membership.team_id, target=membership,
                         target_text=membership.user.username,
                         details={"member": membership.user.username, "from": before,
                                  "to": role})
    return membership


def remove_member(membership: Membership) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == Role.OWNER and not _other_owners(membership):
            raise TeamError(
                f"{membership.user.username} is the last owner of {membership.team.name}: "
                "make someone else an owner first."
            )
        audit.record(audit.Kind.MEMBER_REMOVED, team=membership.team_id, target=membership,
                     target_text=membership.user.username,
                     details={"member": membership.user.username, "role": membership.role})
        membership.delete()


def ensure_demo(team_name: str = "Demo", username: str = "demo", password: str = "") -> tuple:
    """The demo team and its owner login, created once; later runs leave both alone except that
    the owner's password is reset to `password` when given (it is kept in the local state dir)."""
    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        if password and (created or not user.check_password(password)):
            user.set_password(password)
            user.save(update_fields=["password"])
        membership = (
            Membership.objects.filter(user=user, team__name=team_name).select_related("team")
            .first()
        )
        if membership is None:
            team = Team.objects.create(name=team_name)
            Membership.objects.create(team=team, user=user, role=Role.OWNER)
        else:
            team = membership.team
    return team, user
