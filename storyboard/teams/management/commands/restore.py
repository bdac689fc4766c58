"""`python manage.py restore DIR [--force]`: brings back what `backup` wrote (storyboard/
backups.py). Refuses to replace a database that has tables unless --force; the media folder it
replaces is kept aside and named. Stop the app first. Exit 2 for a DIR that is not a whole
backup, 1 for a refusal (a database in place, PostgreSQL, S3)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from storyboard.backups import BackupRefused, restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into this install's database and media."
    requires_system_checks: list[str] = []  # the database may not exist yet

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR", type=Path, help="a folder `backup` wrote")
        parser.add_argument("--force", action="store_true",
                            help="replace the database and media already in place")

    def handle(self, *args, folder: Path, force: bool, **options):
        connections.close_all()
        try:
            manifest, kept = restore(folder, force=force)
        except BackupRefused as refused:
            prefix = f"{refused.argument}: " if refused.argument else ""
            raise CommandError(f"{prefix}{refused}", returncode=2 if refused.argument else 1
                               ) from None
        self.stdout.write(f"restored the backup of {manifest['created']} "
                          f"({manifest['media']['files']} media files)")
        if kept:
            self.stdout.write(f"the media folder it replaced is kept at {kept}")
