"""`python manage.py accounts add|list|remove`: provider accounts without the browser
(docs/command-line.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from storyboard.providers.registry import PROVIDERS
from storyboard.teams.accounts import AccountError, AccountInput, add_account, remove_account
from storyboard.teams.models import ProviderAccount, Team


def find_team(value: str) -> Team:
    """A team by id or exact name; an ambiguous name is refused with the candidates' ids."""
    if value.isdigit():
        team = Team.objects.filter(pk=int(value)).first()
        if team:
            return team
    teams = list(Team.objects.filter(name=value))
    if not teams:
        raise CommandError(f"--team {value!r}: no team with that name or id")
    if len(teams) > 1:
        ids = ", ".join(str(t.pk) for t in teams)
        raise CommandError(f"--team {value!r}: several teams have that name; use an id ({ids})")
    return teams[0]


class Command(BaseCommand):
    help = "Add, list or remove a team's provider accounts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add an account")
        add.add_argument("--team", required=True, help="team name or id")
        add.add_argument("--dialect", required=True, choices=sorted(PROVIDERS))
        add.add_argument("--label", required=True)
        add.add_argument("--base-url", default="")
        add.add_argument("--sandbox", action="store_true",
                         help="the local simulator: its base URL may be on this machine")
        add.add_argument("--token", default="", help="useapi API token")
        add.add_argument("--email", default="", help="useapi: which linked Kling account")
        add.add_argument("--access-key", default="", help="kling access key")
        add.add_argument("--secret-key", default="", help="kling secret key")
        add.add_argument("--api-key", default="", help="cometapi / apimart key")
        add.add_argument("--max-jobs", type=int, default=2)
        add.add_argument("--vip", action="store_true", help="useapi VIP plan")
        listing = sub.add_parser("list", help="list accounts")
        listing.add_argument("--team", default=None, help="team name or id (default: all)")
        remove = sub.add_parser("remove", help="remove an account")
        remove.add_argument("--team", required=True)
        remove.add_argument("--label", required=True)

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_add(self, *, team, dialect, label, base_url, sandbox, token, email, access_key,
               secret_key, api_key, max_jobs, vip, **_):
        credentials = {"token": token, "email": email, "access_key": access_key,
                       "secret_key": secret_key, "api_key": api_key}
        unused = [name for name, value in credentials.items()
                  if value and name not in PROVIDERS[dialect].credential_fields]
        if unused:
            flags = ", ".join("--" + n.replace("_", "-") for n in unused)
            raise CommandError(f"{flags}: not used by {dialect} accounts")
        try:
            account = add_account(find_team(team), AccountInput(
                dialect, label, credentials, base_url=base_url, max_jobs=max_jobs, vip=vip,
                sandbox=sandbox))
        except AccountError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Added {account.dialect} account {account.label!r} "
                          f"to team {account.team.name!r} (id {account.pk}).")

    def do_list(self, *, team, **_):
        accounts = ProviderAccount.objects.select_related("team").order_by("team__name", "label")
        if team:
            accounts = accounts.filter(team=find_team(team))
        rows = list(accounts)
        if not rows:
            self.stdout.write("No provider accounts.")
        for a in rows:
            flags = " ".join(f for f, on in (("sandbox", a.sandbox), ("vip", a.vip)) if on)
            self.stdout.write(f"{a.team.name}\t{a.label}\t{a.dialect}\t{a.effective_base_url}"
                              f"\tmax_jobs={a.max_jobs}{chr(9) + flags if flags else ''}")

    def do_remove(self, *, team, label, **_):
        account = ProviderAccount.objects.filter(team=find_team(team), label=label).first()
        if account is None:
            raise CommandError(f"--label {label!r}: team {team!r} has no account by that label")
        try:
            remove_account(account)
        except AccountError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Removed account {label!r}.")
