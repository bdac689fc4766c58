"""Review: the queue of clips awaiting a decision, a clip's review page (player with the
planned shot boundaries, frame stepping and J/K/L, time-coded comments, approve or request a
retake, the history), and its notes exported as CSV and as an EDL of markers."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from storyboard.jobs.models import Clip
from storyboard.review import actions, exports
from storyboard.review.models import ReviewState
from storyboard.review.queue import QUEUE_PAGE, awaiting
from storyboard.review.timing import TimeCodeError, frame_rate, parse_time_code, shot_plan
from storyboard.teams.decorators import team_required


def _clip(request, clip_id: int) -> Clip:
    return get_object_or_404(
        Clip.objects.filter(team=request.team).select_related(
            "job", "job__account", "job__storyboard", "review__decision__decided_by"),
        pk=clip_id)


def _clean(text: str) -> str:
    return (text or "").replace("\x00", "")


@require_GET
@team_required("view")
def index(request):
    clips = list(awaiting(request.team).select_related("job", "job__account")[:QUEUE_PAGE + 1])
    return render(request, "review/index.html", {
        "clips": clips[:QUEUE_PAGE], "more": len(clips) > QUEUE_PAGE})


def _page_context(request, clip: Clip, **extra) -> dict:
    plan = shot_plan(clip.job.snapshot, clip.seconds)
    length = max(clip.seconds, plan[-1].end if plan else 0) or 1
    review = getattr(clip, "review", None)
    next_clip = (awaiting(request.team).exclude(pk=clip.pk).only("id").first()
                 if request.membership.can("review") else None)
    return {
        "clip": clip, "job": clip.job, "plan": plan, "length": length,
        "boundaries": [shot.start for shot in plan[1:]],
        "state": review.state if review else ReviewState.AWAITING,
        "state_label": ReviewState(review.state if review else ReviewState.AWAITING).label,
        "comments": clip.comments.select_related("author"),
        "decisions": clip.decisions.select_related("decided_by", "revision"),
        "next_clip": next_clip, "rate": frame_rate(clip.fps, clip.seconds), **extra,
    }


@require_GET
@team_required("view")
def clip(request, clip_id: int):
    clip = _clip(request, clip_id)
    return render(request, "review/clip.html", _page_context(request, clip))


def _download(text: str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
@team_required("view")
def notes_csv(request, clip_id: int):
    clip = _clip(request, clip_id)
    text = exports.notes_csv(exports.clip_notes(clip), frame_rate(clip.fps, clip.seconds))
    # The byte-order mark is how a spreadsheet knows the file is UTF-8 (accents, emoji).
    return _download("\ufeff" + text, "text/csv; charset=utf-8",
                     exports.download_name(clip, "csv"))


@require_GET
@team_required("view")
def notes_edl(request, clip_id: int):
    clip = _clip(request, clip_id)
    text = exports.notes_edl(clip.job.title, exports.clip_notes(clip),
                             frame_rate(clip.fps, clip.seconds))
    return _download(text, "text/plain; charset=utf-8", exports.download_name(clip, "edl"))


@require_POST
@team_required("comment")
def comment(request, clip_id: int):
    clip = _clip(request, clip_id)
    typed = {"seconds": _clean(request.POST.get("seconds", ""))[:40],
             "text": _clean(request.POST.get("text", ""))}
    error = None
    try:
        actions.add_comment(clip, request.user, parse_time_code(typed["seconds"]),
                            typed["text"],
                            # Not sent back on a refusal: review's drawing.js keeps it.
                            drawing=request.POST.get("drawing", ""))
    except TimeCodeError as refused:
        error = {"field": "seconds", "message": str(refused)}
    except actions.ReviewRefused as refused:
        error = {"field": refused.field, "message": str(refused)}
    if request.htmx:
        context = _page_context(request, clip, error=error, typed=typed if error else {},
                                oob=True)
        return render(request, "review/clip.html#comments", context)
    if error:
        messages.error(request, error["message"])
    else:
        messages.success(request, "Comment added.")
    return redirect("review:clip", clip.pk)


@require_POST
@team_required("review")
def approve(request, clip_id: int):
    clip = _clip(request, clip_id)
    try:
        actions.approve_clip(clip, request.user)
    except actions.ReviewRefused as refused:
        messages.error(request, str(refused))
        return redirect("review:clip", clip.pk)
    messages.success(request, f"Approved: “{clip.job.title}” is the approved take.")
    return redirect("review:clip", clip.pk)


@require_POST
@team_required("review")
def retake(request, clip_id: int):
    clip = _clip(request, clip_id)
    try:
        decision = actions.request_retake(clip, request.user,
                                          _clean(request.POST.get("note", "")))
    except actions.ReviewRefused as refused:
        messages.error(request, str(refused))
        return redirect("review:clip", clip.pk)
    messages.success(request, f"Retake requested: the new revision “{decision.revision.title}” "
                              f"is waiting for an editor, with your note.")
    return redirect("review:clip", clip.pk)
