"""`python manage.py omni_batch FILE --account LABEL [--team T] [--out DIR] [--sequence TITLE]`
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
from storyboard.jobs.batch_sequence import SequenceArgument, clean_title, place_items
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
        parser.add_argument("--sequence", default=None, metavar="TITLE",
                            help="put the items' storyboards into the team's sequence of this "
                            "title (made when missing), in file order")

    def handle(self, *args, file, account, team, out, timeout, sequence, **options):
        if sequence is not None:
            try:  # before anything is read or sent
                sequence = clean_title(sequence)
            except SequenceArgument as bad:
                raise CommandError(str(bad), returncode=2) from None
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
            # Before the wait: a run stopped while it waits has its sequence already.
            refused = self._place(items, target.team, owner, sequence) if sequence else []
            self.stderr.write(f"{len(items)} item(s) on {target.label} ({target.dialect}); "
                              "waiting for the provider…")
            run(items, timeout=timeout, say=self.stderr.write)
        lines = write_outputs(items, out)
        for line in lines:
            self.stdout.write(line)
        if refused or any(not line.split(": ", 1)[1].startswith("succeeded") for line in lines):
            sys.exit(1)

    def _place(self, items, team, owner, title) -> list[str]:
        placed = place_items(items, team, owner.user if owner else None, title)
        name = f"sequence “{placed.sequence.title}”"
        self.stderr.write(f"{name}{' (new)' if placed.created else ''}: "
                          f"{len(placed.added)} storyboard(s) added, "
                          f"{len(placed.kept)} already in it")
        for line in placed.refused:
            self.stderr.write(line)
        return placed.refused
