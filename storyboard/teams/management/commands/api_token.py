"""`python manage.py api_token create|list|revoke`: API tokens without the browser
(docs/api.md, docs/command-line.md). `create` prints only the token, so a script can take it:
`TOKEN=$(python manage.py api_token create --team T --user U)`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from storyboard.api.actions import TokenRefused, create_token, revoke_token
from storyboard.api.models import ApiToken
from storyboard.teams.management.commands.accounts import find_team
from storyboard.teams.models import Membership


class Command(BaseCommand):
    help = "Create, list or revoke a team's API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a token; prints only the token")
        create.add_argument("--team", required=True, help="team name or id")
        create.add_argument("--user", required=True, help="username of a member of the team")
        create.add_argument("--name", default="", help="what uses it (default: cli <date>)")
        listing = sub.add_parser("list", help="list the team's live tokens")
        listing.add_argument("--team", required=True)
        revoke = sub.add_parser("revoke", help="revoke a token by its name, at once")
        revoke.add_argument("--team", required=True)
        revoke.add_argument("--name", required=True)

    def handle(self, *args, action, team, **options):
        team = find_team(team)
        getattr(self, f"do_{action}")(team, **options)

    def do_create(self, team, *, user, name, **_):
        membership = (Membership.objects.select_related("team", "user")
                      .filter(team=team, user__username=user).first())
        if membership is None:
            raise CommandError(f"--user {user!r}: not a member of {team.name}")
        name = name or f"cli {timezone.now():%Y-%m-%d %H:%M:%S}"
        try:
            _, token = create_token(membership, name)
        except TokenRefused as refused:
            raise CommandError(f"--name: {refused}") from None
        self.stdout.write(token)

    def do_list(self, team, **_):
        roles = dict(Membership.objects.filter(team=team).values_list("user_id", "role"))
        for t in ApiToken.objects.active().filter(team=team).select_related("user"):
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            role = roles.get(t.user_id, "not a member: refused")
            self.stdout.write(f"{t.name}\t{t.user.username} ({role})\t"
                              f"made {t.created_at:%Y-%m-%d %H:%M}\tlast used {used}")

    def do_revoke(self, team, *, name, **_):
        token = ApiToken.objects.active().filter(team=team, name=name).first()
        if token is None:
            raise CommandError(f"--name {name!r}: no live token of {team.name} has that name")
        revoke_token(token)
        self.stdout.write(f"Revoked {token.name!r}: it no longer works.")
