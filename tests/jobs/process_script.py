"""Run in a separate process by test_worker_process.py, against that test's own database:
`python process_script.py setup SANDBOX_URL N` creates the team, accounts and N jobs;
`python process_script.py report` prints every job's state as JSON."""

import json
import sys

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from storyboard.boards.models import Shot, Storyboard  # noqa: E402
from storyboard.jobs.actions import submit_job  # noqa: E402
from storyboard.jobs.models import Clip, Job  # noqa: E402
from storyboard.providers.sandbox import SANDBOX_CREDENTIALS, base_urls  # noqa: E402
from storyboard.teams.accounts import AccountInput, add_account  # noqa: E402
from storyboard.teams.actions import ensure_demo  # noqa: E402


def setup(sandbox_url: str, count: int) -> None:
    call_command("migrate", verbosity=0)
    team, user = ensure_demo(password="kill-test-password")
    accounts = [
        add_account(team, AccountInput(d, f"Sandbox {d}", dict(SANDBOX_CREDENTIALS[d]),
                                       base_url=base_urls(sandbox_url)[d], max_jobs=3,
                                       sandbox=True))
        for d in ("kling", "cometapi")
    ]
    for n in range(count):
        account = accounts[n % len(accounts)] if n % 5 else None  # every fifth: animatic
        board = Storyboard.objects.create(team=team, title=f"Board {n}", account=account)
        Shot.objects.create(storyboard=board, position=0, prompt=f"Shot one of {n}",
                            duration="2")
        # 2 + 3 s: CometAPI takes text-only jobs of 5 or 10 s only.
        Shot.objects.create(storyboard=board, position=1, prompt=f"Shot two of {n}",
                            duration="3")
        submit_job(board, user, f"kill-{n}")


def report() -> None:
    rows = [{"id": str(j.id), "state": j.state, "failure": j.failure, "dialect": j.dialect,
             "remote": j.remote_task_id, "clips": Clip.objects.filter(job=j).count(),
             "text": j.failure_text} for j in Job.objects.all()]
    print(json.dumps(rows))


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(sys.argv[2], int(sys.argv[3]))
    else:
        report()
