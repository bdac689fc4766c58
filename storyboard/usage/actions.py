"""Writes of the monthly caps: the team's (the Usage page) and an account's (its form)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from storyboard.teams.accounts import AccountInput, add_account, change_account
from storyboard.teams.models import ProviderAccount, Team


def set_team_cap(team: Team, cap: Decimal | None) -> None:
    """A new cap (None: no cap). Its 80 % notice may be given again this month, for the new
    figure."""
    Team.objects.filter(pk=team.pk).update(monthly_cap=cap, cap_notice_month="")
    team.monthly_cap, team.cap_notice_month = cap, ""


def save_account(team: Team, data: AccountInput, cap: Decimal | None,
                 account: ProviderAccount | None = None) -> ProviderAccount:
    """The account form's save: the account (teams/accounts.py, its own checks) and its monthly
    cap, in one transaction. A changed cap may give its 80 % notice again this month."""
    with transaction.atomic():
        account = change_account(account, data) if account else add_account(team, data)
        if account.monthly_cap != cap:
            ProviderAccount.objects.filter(pk=account.pk).update(monthly_cap=cap,
                                                                 cap_notice_month="")
            account.monthly_cap, account.cap_notice_month = cap, ""
    return account
