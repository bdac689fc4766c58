"""`python manage.py backup --out DIR`: a consistent copy of the SQLite database and the media
folder, while the app runs (storyboard/backups.py, docs/deployment.md "Backups"). Exit 2 for a
bad --out, 1 when this install is not one these commands back up (PostgreSQL, S3)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from storyboard.backups import BackupRefused, backup


class Command(BaseCommand):
    help = "Copy the SQLite database (online backup API) and the media folder into a new folder."
    requires_system_checks: list[str] = []  # must not touch the database it copies

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path,
                            help="a new (or empty) folder to write the backup into")

    def handle(self, *args, out: Path, **options):
        try:
            copied = backup(out)
        except BackupRefused as refused:
            prefix = f"{refused.argument}: " if refused.argument else ""
            raise CommandError(f"{prefix}{refused}", returncode=2 if refused.argument else 1
                               ) from None
        self.stdout.write(f"backup written to {copied.folder}: database "
                          f"{copied.database_bytes} bytes, {copied.media_files} media files "
                          f"({copied.media_bytes} bytes), manifest.json")
