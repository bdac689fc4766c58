"""`python manage.py storyboard_payload FILE --dialect D`: wrapper around rules.cli.run_payload."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from storyboard.rules.capabilities import DIALECTS, MODELS
from storyboard.rules.cli import OK, run_payload


class Command(BaseCommand):
    help = (
        "Print the exact JSON body that would create the job in a dialect (references as given "
        "in the file; no network; a list for a list file). When a storyboard is not valid for "
        "the target, print the check report instead and exit 1; exit 2 when the file cannot be "
        "read or is not the batch format. For animatic the body is the local render plan."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="batch file (JSON)")
        parser.add_argument("--dialect", choices=DIALECTS, required=True, help="target dialect")
        parser.add_argument(
            "--model",
            choices=MODELS,
            default=None,
            help="target model; overrides each item's omni_version",
        )

    def handle(self, *args, file, dialect, model, **options):
        result = run_payload(file, dialect, model)
        if result.stdout:
            self.stdout.write(result.stdout)
        if result.code != OK:
            raise CommandError(result.stderr, returncode=result.code)
