"""`python manage.py sequence_export --team T --sequence TITLE --format otio|fcpxml|edl|mp4|zip
--out FILE [--placeholders]` (docs/command-line.md). Exit 0 written, 1 storyboards without a
take (named), 2 a bad argument."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from storyboard.sequences.exports import ALL_FORMATS, MissingTakes, request_export
from storyboard.sequences.models import Sequence
from storyboard.teams.management.commands.accounts import find_team


class Command(BaseCommand):
    help = ("Export a sequence: an MP4 of the cut, an editorial timeline (.otio, .fcpxml, "
            ".edl) or a ZIP of the clips and timelines for an editor.")

    def add_arguments(self, parser):
        parser.add_argument("--team", required=True, help="team name or id")
        parser.add_argument("--sequence", required=True, help="the sequence's title")
        parser.add_argument("--format", required=True, choices=ALL_FORMATS)
        parser.add_argument("--out", required=True, type=Path, help="the file to write")
        parser.add_argument("--placeholders", action="store_true",
                            help="stand each storyboard without a take in with its animatic")

    def handle(self, *args, team, sequence, format, out, placeholders, **options):  # noqa: A002
        try:
            found_team = find_team(team)
        except CommandError as e:
            raise CommandError(str(e), returncode=2) from None
        found = Sequence.objects.filter(team=found_team, title=sequence).first()
        if found is None:
            raise CommandError(f"--sequence {sequence!r}: no sequence with that title in "
                               f"{found_team.name}", returncode=2)
        if not out.parent.is_dir():
            raise CommandError(f"--out {str(out)!r}: the folder {str(out.parent)!r} does not "
                               "exist", returncode=2)
        try:
            row = request_export(found, format, placeholders=placeholders, inline=True)
        except MissingTakes as missing:
            self.stderr.write(f"{found.title}: {missing}")
            sys.exit(1)
        except ValueError as e:
            raise CommandError(str(e), returncode=2) from None
        if row.state != row.State.READY:
            self.stderr.write(row.failure_text or f"export {row.state}")
            sys.exit(1)
        with default_storage.open(row.file, "rb") as source, open(out, "wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        size = out.stat().st_size
        self.stdout.write(f"wrote {out} ({row.get_format_display()}, {size} bytes)")
