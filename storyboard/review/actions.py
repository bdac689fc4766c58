"""Writes of the review app, each in one transaction: comment, approve, request a retake,
star a clip. Views parse input, call one of these and render; a refusal raises ReviewRefused
with a message for people, and nothing is written."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone

from storyboard.audit import actions as audit
from storyboard.boards.models import Storyboard
from storyboard.jobs.actions import remix_job
from storyboard.jobs.models import Clip, State
from storyboard.review.drawing import DrawingError, parse_drawing
from storyboard.review.models import (
    COMMENT_MAX,
    NOTE_MAX,
    ClipReview,
    Comment,
    Decision,
    Favourite,
    ReviewState,
)
from storyboard.review.timing import format_time_code, shot_at, shot_plan
from storyboard.webhooks import events as webhook_events


class ReviewRefused(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def add_comment(clip: Clip, user, seconds: float, text: str, *, share=None,
                guest_name: str = "", drawing: str | None = None) -> Comment:
    """`share` and `guest_name`: a guest of a share link writes it (user is None). `drawing`:
    the drawing on the frame as posted (JSON text, storyboard/review/drawing.py), or none."""
    text = (text or "").strip()
    if not text:
        raise ReviewRefused("Comment: write something before posting.", "text")
    if len(text) > COMMENT_MAX:
        raise ReviewRefused(f"Comment: at most {COMMENT_MAX:,} characters (this one has "
                            f"{len(text):,}).", "text")
    if seconds < 0:
        raise ReviewRefused("Time: must be 0 s or later.", "seconds")
    if seconds > clip.seconds + 0.05:  # the last frame's time rounds to the clip's length
        raise ReviewRefused(f"Time: {format_time_code(seconds)} is past the end of the clip "
                            f"({format_time_code(clip.seconds)}).", "seconds")
    try:
        shapes = parse_drawing(drawing)
    except DrawingError as refused:
        raise ReviewRefused(str(refused), "drawing") from None
    seconds = min(seconds, clip.seconds)
    shot = shot_at(shot_plan(clip.job.snapshot, clip.seconds), seconds)
    comment = Comment.objects.create(clip=clip, team_id=clip.team_id, author=user,
                                     seconds=seconds, shot=shot, text=text, share=share,
                                     guest_name=guest_name, drawing=shapes)
    webhook_events.comment_added(comment)
    return comment


def _current(clip: Clip) -> ClipReview | None:
    return ClipReview.objects.select_for_update().filter(clip=clip).first()


def _decide(clip: Clip, user, kind: str, note: str = "",
            revision: Storyboard | None = None, share=None, guest_name: str = "") -> Decision:
    decision = Decision.objects.create(clip=clip, team_id=clip.team_id, kind=kind, note=note,
                                       decided_by=user, revision=revision, share=share,
                                       guest_name=guest_name)
    state = ReviewState.APPROVED if kind == Decision.Kind.APPROVE else ReviewState.RETAKE
    updated = ClipReview.objects.filter(clip=clip).update(state=state, decision=decision,
                                                          updated_at=timezone.now())
    if not updated:
        ClipReview.objects.create(clip=clip, team_id=clip.team_id, state=state,
                                  decision=decision)
    audit.record(audit.Kind.CLIP_APPROVED if kind == Decision.Kind.APPROVE
                 else audit.Kind.RETAKE_REQUESTED, team=clip.team_id, target=clip,
                 target_text=clip.job.title, guest=guest_name,
                 details={"note": note, "revision": revision.pk if revision else None,
                          "share_link": share.pk if share else None})
    webhook_events.review_decided(decision)  # clip.approved or retake.requested
    return decision


def _check_reviewable(clip: Clip) -> None:
    if clip.job.state != State.SUCCEEDED:
        raise ReviewRefused("Only clips of finished jobs can be reviewed.")


def _already(review: ClipReview, what: str) -> ReviewRefused:
    decision = review.decision
    who = (decision.decided_by.username if decision.decided_by
           else f"guest {decision.guest_name}" if decision.guest_name else "someone")
    when = dateformat.format(timezone.localtime(decision.created_at), "j M H:i")
    return ReviewRefused(f"{what} (by {who}, {when}); nothing changed.")


def approve_clip(clip: Clip, user, *, share=None, guest_name: str = "") -> Decision:
    """`share` and `guest_name`: a guest of a share link decides (user is None)."""
    _check_reviewable(clip)
    try:
        with transaction.atomic():
            review = _current(clip)
            if review is not None and review.state == ReviewState.APPROVED:
                raise _already(review, "This take is already approved")
            return _decide(clip, user, Decision.Kind.APPROVE, share=share,
                           guest_name=guest_name)
    except IntegrityError:  # a second approval raced in and created the row first
        raise ReviewRefused(_RACED) from None


_RACED = "This take was just decided by someone else; reload to see it."
_SUFFIX = re.compile(r"\s*\((?:retake|remix)(?: \d+)?\)$")


def request_retake(clip: Clip, user, note: str, *, share=None,
                   guest_name: str = "") -> Decision:
    """A new revision of the clip's storyboard, pre-filled from the clip's snapshot (parent: the
    storyboard the clip was made from), with the note attached for its editor. From a guest of
    a share link (user None), the revision is the link maker's, who shared the take."""
    note = (note or "").strip()
    if not note:
        raise ReviewRefused("Note: say what the retake should change.", "note")
    if len(note) > NOTE_MAX:
        raise ReviewRefused(f"Note: at most {NOTE_MAX:,} characters (this one has "
                            f"{len(note):,}).", "note")
    _check_reviewable(clip)
    try:
        with transaction.atomic():
            review = _current(clip)
            if review is not None and review.state == ReviewState.RETAKE:
                raise _already(review, "A retake of this take was already requested")
            revision = remix_job(clip.job, user if share is None else share.created_by)
            base = _SUFFIX.sub("", clip.job.storyboard.title if clip.job.storyboard
                               else clip.job.title)
            revision.title = f"{base} (retake)"[:200]
            revision.save(update_fields=["title"])
            return _decide(clip, user, Decision.Kind.RETAKE, note, revision, share=share,
                           guest_name=guest_name)
    except IntegrityError:
        raise ReviewRefused(_RACED) from None


def toggle_favourite(clip: Clip, user) -> bool:
    """Star or unstar the clip for this user only; answers whether it is starred now."""
    deleted, _ = Favourite.objects.filter(user=user, clip=clip).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            Favourite.objects.create(user=user, clip=clip)
    except IntegrityError:  # a double click: already starred
        pass
    return True
