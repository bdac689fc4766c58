"""The take a sequence plays for each storyboard: the pinned clip while it is still a
succeeded clip of that storyboard in the same team, else the approved take (the most
recently approved, when several are), else the newest succeeded clip; None when the
storyboard has no clip yet (the reel plays its animatic instead)."""

from __future__ import annotations

from storyboard.jobs.models import Clip, State
from storyboard.review.models import ReviewState


def _takes(team_id: int, storyboard_ids: list[int]):
    """Every succeeded clip of these storyboards, with the job and review state the choice
    needs: one query."""
    return (Clip.objects.filter(team_id=team_id, job__state=State.SUCCEEDED,
                                job__storyboard_id__in=storyboard_ids,
                                job__storyboard__team_id=team_id)
            .select_related("job", "review")
            .order_by("-created_at", "-id"))


def _choose(entry, clips: list[Clip]) -> Clip | None:
    """`clips`: the storyboard's succeeded clips, newest first."""
    if not clips:
        return None
    if entry.pinned_clip_id is not None:
        for clip in clips:
            if clip.pk == entry.pinned_clip_id:
                return clip
    approved = [clip for clip in clips
                if getattr(clip, "review", None) is not None
                and clip.review.state == ReviewState.APPROVED]
    if approved:
        return max(approved, key=lambda clip: (clip.review.updated_at, clip.pk))
    return clips[0]


def chosen_take(entry) -> Clip | None:
    team_id = entry.sequence.team_id
    return _choose(entry, list(_takes(team_id, [entry.storyboard_id])))


def chosen_takes(sequence) -> list[tuple[object, Clip | None]]:
    """The sequence's entries in order, each with its chosen take: two queries, whatever the
    number of entries (the entries with their storyboards, then all their clips)."""
    entries = list(sequence.entries.select_related("storyboard").order_by("position"))
    by_board: dict[int, list[Clip]] = {entry.storyboard_id: [] for entry in entries}
    if entries:
        for clip in _takes(sequence.team_id, list(by_board)):
            by_board[clip.job.storyboard_id].append(clip)
    return [(entry, _choose(entry, by_board[entry.storyboard_id])) for entry in entries]
