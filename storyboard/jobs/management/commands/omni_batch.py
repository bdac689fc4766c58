"""`python manage.py omni_batch FILE --account LABEL [--team T] [--out DIR]`
(docs/command-line.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from storyboard.jobs.batch import (
    BatchRefused,
    prepare,
    run,
    steps_in_this_process,
    submit_all,
    write_outputs,
)
from storyboard.teams.management.commands.accounts import find_team
from storyboard.teams.models import Membership, ProviderAccount


class Command(BaseCommand):
    help = ("Check every item of a prompts.json batch file, submit them all to a provider "
            "account, poll concurrently, and write one MP4 per item. A second run resumes.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--account", required=True, help="the provider account's label")
        parser.add_argument("--team", default=None, help="team name or id (when the label is "
                            "used by several teams)")
        parser.add_argument("--out", type=Path, default=Path("omni_batch_out"),
                            help="folder for the MP4s (default ./omni_batch_out)")
        parser.add_argument("--timeout", type=float, default=3600,
                            help="seconds to wait for the provider (default 3600)")

    def handle(self, *args, file, account, team, out, timeout, **options):
        accounts = ProviderAccount.objects.select_related("team").filter(label=account)
        if team:
            accounts = accounts.filter(team=find_team(team))
        found = list(accounts)
        if not found:
            raise CommandError(f"--account {account!r}: no provider account with that label")
        if len(found) > 1:
            raise CommandError(f"--account {account!r}: several teams have an account by that "
                               "label; add --team")
        target = found[0]
        owner = (Membership.objects.filter(team=target.team, role="owner")
                 .select_related("user").first())
        try:
            items = prepare(file, target)
        except BatchRefused as refused:
            if refused.reports is not None:
                self.stdout.write(json.dumps(refused.reports, ensure_ascii=False, indent=1))
            self.stderr.write(str(refused))
            sys.exit(refused.code)
        for item in items:
            for warning in item.warnings:
                self.stderr.write(f"item {item.index}: warning: {warning}")
        # No cluster needed: every step handed to the worker runs in this process.
        with steps_in_this_process():
            try:
                submit_all(items, target, owner.user if owner else None)
            except BatchRefused as refused:  # a file the library refused: nothing was sent
                self.stderr.write(str(refused))
                sys.exit(refused.code)
            self.stderr.write(f"{len(items)} item(s) on {target.label} ({target.dialect}); "
                              "waiting for the provider…")
            run(items, timeout=timeout, say=self.stderr.write)
        lines = write_outputs(items, out)
        for line in lines:
            self.stdout.write(line)
        if any(not line.split(": ", 1)[1].startswith("succeeded") for line in lines):
            sys.exit(1)
