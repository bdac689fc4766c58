"""`python manage.py storyboard_payload FILE --dialect D`: wrapper around rules.cli.run_payload."""

from __future__ import annotations

from storyboard.boards.management.commands._rules_cli import RulesCommand
from storyboard.rules.cli import run_payload


class Command(RulesCommand):
    help = (
        "Print the exact JSON body that would create the job in a dialect (references as given "
        "in the file; no network; a list for a list file). When a storyboard is not valid for "
        "the target, print the check report instead and exit 1; exit 2 when the file cannot be "
        "read or is not the batch format. For animatic the body is the local render plan."
    )

    dialect_required = True

    def run(self, file, dialect, model):
        return run_payload(file, dialect, model)
