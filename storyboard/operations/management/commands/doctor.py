"""python manage.py doctor: is this install healthy and sensibly configured?"""

from django.core.management.base import BaseCommand

from storyboard.operations import doctor

MARKS = {doctor.OK: "ok     ", doctor.NOTE: "note   ", doctor.PROBLEM: "PROBLEM"}


class Command(BaseCommand):
    help = ("Prints what /healthz checks (database, poll sweep, broker, late jobs) and the "
            "configuration problems it can see; exit status 1 when there is a problem.")

    def handle(self, *args, **options):
        problems = 0
        for section, found in doctor.findings().items():
            self.stdout.write(section)
            for finding in found:
                problems += finding.level == doctor.PROBLEM
                self.stdout.write(f"  {MARKS[finding.level]}  {finding.text}")
        if problems:
            self.stdout.write(f"{problems} problem(s) found.")
            raise SystemExit(1)
        self.stdout.write("No problems found.")
