"""Writes of the monthly caps: the team's (the Usage page) and an account's (its form)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from storyboard.audit import actions as audit
from storyboard.teams.accounts import AccountInput, add_account, change_account
from storyboard.teams.models import ProviderAccount, Team


def _cap_text(cap: Decimal | None) -> str | None:
    return None if cap is None else f"{cap.normalize():f}"


def _record_cap(team_id: int, target, before: Decimal | None, after: Decimal | None) -> None:
    audit.record(audit.Kind.CAP_CHANGED, team=team_id, target=target, details={
        "of": "team" if isinstance(target, Team) else "account",
        "changed": {"monthly_cap": [_cap_text(before), _cap_text(after)]}})


def set_team_cap(team: Team, cap: Decimal | None) -> None:
    """A new cap (None: no cap). Its 80 % notice may be given again this month, for the new
    figure. A change is written to the audit log."""
    with transaction.atomic():
        before = (Team.objects.select_for_update().filter(pk=team.pk)
                  .values_list("monthly_cap", flat=True).get())
        Team.objects.filter(pk=team.pk).update(monthly_cap=cap, cap_notice_month="")
        if before != cap:
            _record_cap(team.pk, team, before, cap)
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
            _record_cap(team.pk, account, account.monthly_cap, cap)
            account.monthly_cap, account.cap_notice_month = cap, ""
    return account
