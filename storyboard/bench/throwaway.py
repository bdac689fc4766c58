"""A throwaway install for a benchmark process: its own state directory and SQLite database,
migrated, so a benchmark never touches the operator's data — whatever DATABASE_URL, REDIS_URL
or their `_FILE` forms the shell exports."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

_OPERATORS = ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "STORYBOARD_S3_BUCKET")


def start_django(prefix: str = "storyboard-bench-", *, workdir: str | Path | None = None,
                 database_url: str = "", media_root: str = "",
                 static_from_source: bool = False) -> Path:
    """Sets up Django in a new temporary folder (or `workdir`), migrates its database and
    returns the folder. `database_url`: e.g. "sqlite://:memory:" (default: a file in the
    folder); `media_root`: a folder of the caller's (default: in the folder);
    `static_from_source`: static URLs straight from static/, without a collectstatic manifest,
    as the tests have them."""
    workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix=prefix))
    for name in _OPERATORS:
        os.environ.pop(name, None)
        os.environ.pop(f"{name}_FILE", None)
    os.environ.update(STORYBOARD_VAR_DIR=str(workdir), DJANGO_SETTINGS_MODULE="storyboard.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    if media_root:
        os.environ["MEDIA_ROOT"] = media_root
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if static_from_source:
        settings.STORAGES = {**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    call_command("migrate", verbosity=0)
    # One access line per request would bury the figures the benchmark prints.
    logging.getLogger("storyboard.access").setLevel(logging.WARNING)
    return workdir
