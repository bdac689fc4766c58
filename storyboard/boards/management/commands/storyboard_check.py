"""`python manage.py storyboard_check FILE`: thin wrapper around storyboard.rules.cli.run_check."""

from __future__ import annotations

from storyboard.boards.management.commands._rules_cli import RulesCommand
from storyboard.rules.cli import DEFAULT_DIALECT, run_check


class Command(RulesCommand):
    help = (
        "Check a batch file (one storyboard or a list, prompts.json format) against a target and "
        "print the check report as JSON (a list for a list). Exit 0 when every storyboard is ok, "
        "1 when any has an error, 2 when the file cannot be read or is not that format. "
        f"Without --dialect the target is {DEFAULT_DIALECT} (the batch script's dialect) with "
        "each item's omni_version (default v3)."
    )

    dialect_help = f"target dialect (default {DEFAULT_DIALECT})"

    def run(self, file, dialect, model):
        return run_check(file, dialect, model)
