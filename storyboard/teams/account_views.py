from __future__ import annotations

import contextlib

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from storyboard.providers.registry import PROVIDERS
from storyboard.teams.accounts import (
    AccountError,
    AccountInput,
    check_connection,
    remove_account,
)
from storyboard.teams.crypto import CredentialsUnreadable
from storyboard.teams.decorators import team_required
from storyboard.teams.forms import ProviderAccountForm
from storyboard.teams.models import ProviderAccount
from storyboard.teams.scoping import get_for_team
from storyboard.usage.actions import save_account


def _input(form: ProviderAccountForm) -> AccountInput:
    data = form.cleaned_data
    return AccountInput(
        dialect=data["dialect"], label=data["label"], credentials=form.credentials(),
        base_url=data.get("base_url") or "", max_jobs=data["max_jobs"],
        vip=data.get("vip", False), sandbox=data.get("sandbox", False))


def _form_page(request, form, account=None, status=200):
    return render(request, "teams/account_form.html", {"form": form, "account": account},
                  status=status)


@require_http_methods(["GET", "POST"])
@team_required("manage")
def account_new(request):
    form = ProviderAccountForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                account = save_account(request.team, _input(form),
                                       form.cleaned_data["monthly_cap"])
            except AccountError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Account {account.label} added. Press “Test "
                                          "connection” to check its credentials.")
                return redirect("teams:settings")
        return _form_page(request, form, status=400)
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
@team_required("manage")
def account_edit(request, account_id: int):
    account = get_for_team(ProviderAccount, request.team, pk=account_id)
    initial = {"dialect": account.dialect, "label": account.label, "base_url": account.base_url,
               "max_jobs": account.max_jobs, "vip": account.vip, "sandbox": account.sandbox,
               "monthly_cap": account.monthly_cap}
    shown = [f.name for f in PROVIDERS[account.dialect].credentials if not f.secret]
    if shown:  # e.g. an email that selects a linked account: not a secret
        with contextlib.suppress(CredentialsUnreadable):
            saved = account.credentials()
            initial.update((name, saved.get(name, "")) for name in shown)
    form = ProviderAccountForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                save_account(request.team, _input(form), form.cleaned_data["monthly_cap"],
                             account)
            except AccountError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Account {account.label} saved.")
                return redirect("teams:settings")
        return _form_page(request, form, account, status=400)
    return _form_page(request, form, account)


@require_POST
@team_required("manage")
def account_test(request, account_id: int):
    account = get_for_team(ProviderAccount, request.team, pk=account_id)
    ok, message = check_connection(account)
    (messages.success if ok else messages.error)(request, f"{account.label}: {message}")
    return redirect("teams:settings")


@require_POST
@team_required("manage")
def account_remove(request, account_id: int):
    account = get_for_team(ProviderAccount, request.team, pk=account_id)
    try:
        remove_account(account)
    except AccountError as error:  # jobs still use it: say which, remove nothing
        messages.error(request, str(error))
        return redirect("teams:settings")
    messages.success(request, f"Account {account.label} removed; its credentials are deleted.")
    return redirect("teams:settings")
