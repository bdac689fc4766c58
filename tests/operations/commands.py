"""Running a management command as an operator would, for its exit status and its output."""

from __future__ import annotations

import io

from django.core.management import call_command


def run(name: str, *args: str) -> tuple[int, str]:
    """(exit status, standard output) of `manage.py name args…`."""
    out = io.StringIO()
    try:
        call_command(name, *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()
