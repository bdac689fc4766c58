"""What `storyboard_check` and `storyboard_payload` share: the file and target arguments, and
printing a `storyboard.rules.cli` result with its exit code (Django skips modules named `_…`
when it looks for commands)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from storyboard.rules.capabilities import DIALECTS, MODELS
from storyboard.rules.cli import OK


class RulesCommand(BaseCommand):
    dialect_required = False
    dialect_help = "target dialect"

    def add_arguments(self, parser):
        parser.add_argument("file", help="batch file (JSON)")
        parser.add_argument("--dialect", choices=DIALECTS, default=None,
                            required=self.dialect_required, help=self.dialect_help)
        parser.add_argument("--model", choices=MODELS, default=None,
                            help="target model; overrides each item's omni_version")

    def run(self, file: str, dialect: str | None, model: str | None):
        raise NotImplementedError

    def handle(self, *args, file, dialect, model, **options):
        result = self.run(file, dialect, model)
        if result.stdout:
            self.stdout.write(result.stdout)
        if result.code != OK:
            # CommandError prints one clean line on stderr (no traceback) and sets the exit code
            raise CommandError(result.stderr, returncode=result.code)
