"""Takes: the first Submit of a storyboard version, and another take of it on purpose.

The first Submit of a version carries a key made from the storyboard and its version, so
pressing Submit again on an unchanged storyboard (a second tab, a reload, a resent POST) finds
the job it made instead of paying for a second one. Another take of the same version is asked
for explicitly ("Submit another take") and carries a fresh key, so it is a new job."""

from __future__ import annotations


def first_take_key(board) -> str:
    return f"take1:{board.pk}:v{board.version}"


def first_take(board):
    """The job the first Submit of the storyboard's current version made, or None."""
    from storyboard.jobs.models import Job

    return (Job.objects.filter(team=board.team_id, submit_key=first_take_key(board))
            .only("id", "state", "created_at").first())
