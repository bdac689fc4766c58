from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from storyboard import shown_once
from storyboard.teams import actions
from storyboard.teams.decorators import personal, team_required
from storyboard.teams.forms import (
    InvitationForm,
    RoleForm,
    SignUpForm,
    SwitchTeamForm,
    TeamNameForm,
)
from storyboard.teams.middleware import SESSION_KEY
from storyboard.teams.models import Invitation, Membership, ProviderAccount
from storyboard.teams.roles import Role
from storyboard.teams.scoping import for_team, get_for_team


def _first_error(form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}: {errors[0]}" if label else errors[0]
    return "Check the form."


# The one-time invitation link waits here between the POST that made it and the GET it redirects
# to; that GET takes it out, so a reload shows it no more. The token never goes into a URL.
NEW_LINK_KEY = "teams.new_invitation_link"


def _take_new_link(request) -> str | None:
    """The link made by this session's last invitation, once, and only in the team it is for."""
    kept = shown_once.take(request, NEW_LINK_KEY)
    return kept.get("link") if kept else None


def _settings_page(request, *, invite_form=None, new_link=None, status=200):
    team = request.team
    members = for_team(Membership, team).select_related("user").order_by("user__username")
    invitations = for_team(Invitation, team).pending().select_related("created_by")
    context = {
        "members": members,
        "invitations": invitations if request.membership.can("manage") else [],
        "invite_form": invite_form or InvitationForm(),
        "rename_form": TeamNameForm(initial={"name": team.name}),
        "roles": Role.choices,
        "new_link": new_link,
        "owner_count": sum(1 for m in members if m.role == Role.OWNER),
        "accounts": for_team(ProviderAccount, team),
    }
    return render(request, "teams/settings.html", context, status=status)


@require_GET
@team_required("view")
def team_settings(request):
    new_link = _take_new_link(request)
    return shown_once.never_cached_if_shown(_settings_page(request, new_link=new_link),
                                            new_link)


@require_POST
@team_required("manage")
def rename(request):
    form = TeamNameForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
    else:
        try:
            actions.rename_team(request.team, form.cleaned_data["name"])
            messages.success(request, "Team renamed.")
        except actions.TeamError as error:
            messages.error(request, str(error))
    return redirect("teams:settings")


@require_POST
@team_required("manage")
def invite(request):
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _settings_page(request, invite_form=form, status=400)
    invitation, token = actions.create_invitation(
        request.team, request.user, form.cleaned_data["role"], form.cleaned_data["note"]
    )
    link = request.build_absolute_uri(reverse("teams:accept", args=[token]))
    messages.success(
        request,
        f"Invitation link created for the role {invitation.get_role_display().lower()}. "
        "Copy it now: it is shown only once.",
    )
    # Post/redirect/get: a reload of the page then is a GET and creates no second invitation.
    shown_once.keep(request, NEW_LINK_KEY, link=link)
    return redirect("teams:settings")


@require_POST
@team_required("manage")
def revoke_invitation(request, invitation_id: int):
    invitation = get_for_team(Invitation, request.team, pk=invitation_id)
    try:
        actions.revoke_invitation(invitation)
        messages.success(request, "Invitation withdrawn: its link no longer works.")
    except actions.TeamError as error:
        messages.error(request, str(error))
    return redirect("teams:settings")


@require_POST
@team_required("manage")
def change_role(request, member_id: int):
    membership = get_for_team(Membership.objects.select_related("user", "team"), request.team,
                              pk=member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("teams:settings")
    try:
        actions.change_role(membership, form.cleaned_data["role"])
        messages.success(
            request, f"{membership.user.username} is now {form.cleaned_data['role']}."
        )
    except actions.TeamError as error:
        messages.error(request, str(error))
    return redirect("teams:settings")


@require_POST
@team_required("manage")
def remove_member(request, member_id: int):
    membership = get_for_team(Membership.objects.select_related("user", "team"), request.team,
                              pk=member_id)
    try:
        actions.remove_member(membership)
        messages.success(request, f"{membership.user.username} was removed from the team.")
    except actions.TeamError as error:
        messages.error(request, str(error))
    if membership.user_id == request.user.id:
        return redirect("home")
    return redirect("teams:settings")


@require_POST
@personal
def leave(request):
    if request.membership is None:
        return redirect("teams:none")
    try:
        actions.remove_member(request.membership)
        messages.success(request, f"You left {request.team.name}.")
    except actions.TeamError as error:
        messages.error(request, str(error))
        return redirect("teams:settings")
    request.session.pop(SESSION_KEY, None)
    return redirect("home")


@require_POST
@personal
def switch(request):
    form = SwitchTeamForm(request.POST)
    wanted = form.cleaned_data["team"] if form.is_valid() else None
    membership = next((m for m in request.memberships if m.team_id == wanted), None)
    if membership is None:
        messages.error(request, "Team: you are not a member of that team.")
    else:
        request.session[SESSION_KEY] = membership.team_id
        messages.success(request, f"Switched to {membership.team.name}.")
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("home")


@require_http_methods(["GET", "POST"])
@personal
def create(request):
    form = TeamNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = actions.create_team(request.user, form.cleaned_data["name"])
        except actions.TeamError as error:
            form.add_error("name", str(error))
        else:
            request.session[SESSION_KEY] = team.id
            messages.success(request, f"Team {team.name} created; you are its owner.")
            return redirect("teams:settings")
    return render(request, "teams/create.html", {"form": form},
                  status=400 if form.errors else 200)


@require_GET
@personal
def no_team(request):
    if request.membership is not None:
        return redirect("home")
    return render(request, "teams/no_team.html", {"form": TeamNameForm()})


@login_not_required
@require_http_methods(["GET", "POST"])
@personal
def accept(request, token: str):
    invitation = actions.find_invitation(token)
    problem = actions.invitation_problem(invitation)
    context = {"invitation": invitation, "problem": problem, "token": token}
    if problem:
        return render(request, "teams/accept.html", context, status=410 if invitation else 404)
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = actions.accept_invitation(token, request.user)
            except actions.TeamError as error:
                context["problem"] = str(error)
                return render(request, "teams/accept.html", context, status=409)
            request.session[SESSION_KEY] = membership.team_id
            messages.success(request, f"Welcome to {membership.team.name}.")
            return redirect("home")
        context["already_member"] = any(
            m.team_id == invitation.team_id for m in request.memberships
        )
        return render(request, "teams/accept.html", context)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.sign_up_with_invitation(
                token, form.cleaned_data["username"], form.cleaned_data["password1"]
            )
        except actions.TeamError as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = invitation.team_id
            messages.success(request, f"Welcome to {invitation.team.name}.")
            return redirect("home")
    context["form"] = form
    return render(request, "teams/accept.html", context, status=400 if form.errors else 200)

