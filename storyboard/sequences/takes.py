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


def takes_by_storyboard(team_id: int, storyboard_ids: list[int]) -> dict[int, list[Clip]]:
    """storyboard id -> its succeeded clips, newest first: one query (none for no ids)."""
    by_board: dict[int, list[Clip]] = {pk: [] for pk in storyboard_ids}
    if storyboard_ids:
        for clip in _takes(team_id, storyboard_ids):
            by_board[clip.job.storyboard_id].append(clip)
    return by_board


def choose(entry, clips: list[Clip]) -> Clip | None:
    """The chosen take among `clips` (the storyboard's succeeded clips, newest first)."""
    return _choose(entry, clips)


def chosen_takes(sequence) -> list[tuple[object, Clip | None]]:
    """The sequence's entries in order, each with its chosen take: two queries, whatever the
    number of entries (the entries with their storyboards, then all their clips)."""
    entries = list(sequence.entries.select_related("storyboard").order_by("position"))
    by_board = takes_by_storyboard(sequence.team_id, [e.storyboard_id for e in entries])
    return [(entry, _choose(entry, by_board[entry.storyboard_id])) for entry in entries]
