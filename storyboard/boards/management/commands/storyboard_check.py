"""`python manage.py storyboard_check FILE`: thin wrapper around storyboard.rules.cli.run_check."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from storyboard.rules.capabilities import DIALECTS, MODELS
from storyboard.rules.cli import DEFAULT_DIALECT, OK, run_check


class Command(BaseCommand):
    help = (
        "Check a batch file (one storyboard or a list, prompts.json format) against a target and "
        "print the check report as JSON (a list for a list). Exit 0 when every storyboard is ok, "
        "1 when any has an error, 2 when the file cannot be read or is not that format. "
        f"Without --dialect the target is {DEFAULT_DIALECT} (the batch script's dialect) with "
        "each item's omni_version (default v3)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="batch file (JSON)")
        parser.add_argument(
            "--dialect",
            choices=DIALECTS,
            default=None,
            help=f"target dialect (default {DEFAULT_DIALECT})",
        )
        parser.add_argument(
            "--model",
            choices=MODELS,
            default=None,
            help="target model; overrides each item's omni_version",
        )

    def handle(self, *args, file, dialect, model, **options):
        result = run_check(file, dialect, model)
        if result.stdout:
            self.stdout.write(result.stdout)
        if result.code != OK:
            # CommandError prints one clean line on stderr (no traceback) and sets the exit code
            raise CommandError(result.stderr, returncode=result.code)
