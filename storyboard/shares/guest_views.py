"""The guest's side of a share link, /s/<token>/, open without an account: the password (when
the link has one), a name entered once, then the player with the planned shots and the
comments, a comment at a time code and, when the link allows it, a decision.

Every view starts from the token alone: an unknown or revoked link answers 404, an expired
one 410, media included. What a guest has passed (the password, the name) is kept in the
session under that link's id, so passing one link opens no other."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from storyboard.client_address import client_address
from storyboard.library.serving import serve_stored_file
from storyboard.review import actions as review_actions
from storyboard.review.models import ReviewState
from storyboard.review.timing import TimeCodeError, frame_rate, parse_time_code, shot_plan
from storyboard.shares import actions, limits
from storyboard.shares.forms import PasswordForm
from storyboard.shares.signing import media_url, read_media
from storyboard.teams.decorators import personal


def _state(request, share) -> dict:
    return request.session.get(f"share-{share.pk}", {})


def _remember(request, share, **values) -> None:
    request.session[f"share-{share.pk}"] = {**_state(request, share), **values}


def _unlocked(request, share) -> bool:
    return not share.has_password or _state(request, share).get("unlocked") is True


def guest_view(view):
    """The link of the URL's token, or 404 (unknown, revoked) / 410 (expired)."""

    @login_not_required
    @personal
    @wraps(view)
    def wrapped(request, share_token: str, *args, **kwargs):
        share = actions.find_share(share_token)
        if share is None or share.revoked_at is not None:
            raise Http404("no such share link")
        if share.expired:
            return render(request, "shares/gone.html", {"share": share}, status=410)
        response = view(request, share, share_token, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        # The token must not leak to other sites; same-origin (not no-referrer) keeps the Origin
        # header of a POST, which the CSRF check needs.
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


def _clean(text: str) -> str:
    return (text or "").replace("\x00", "")


def _page_context(request, share, token: str, **extra) -> dict:
    clip = share.clip
    plan = shot_plan(clip.job.snapshot, clip.seconds)
    review = ReviewState.AWAITING
    current = clip.decisions.order_by("-created_at", "-id").first()
    if current is not None:
        review = ReviewState.APPROVED if current.kind == "approve" else ReviewState.RETAKE
    return {
        "share": share, "token": token, "clip": clip, "job": clip.job, "plan": plan,
        "length": max(clip.seconds, plan[-1].end if plan else 0) or 1,
        "boundaries": [shot.start for shot in plan[1:]],
        "comments": clip.comments.select_related("author"),
        "rate": frame_rate(clip.fps, clip.seconds), "state": review,
        "state_label": ReviewState(review).label,
        "guest_name": _state(request, share).get("name", ""),
        "video_url": media_url(share, token, "video"),
        "poster_url": media_url(share, token, "poster"), **extra,
    }


@require_GET
@guest_view
def page(request, share, token):
    actions.note_opened(share)
    if not _unlocked(request, share):
        return render(request, "shares/password.html", {"share": share, "token": token,
                                                        "form": PasswordForm()})
    if not _state(request, share).get("name"):
        return render(request, "shares/name.html", {"share": share, "token": token})
    return render(request, "shares/guest.html", _page_context(request, share, token))


@require_POST
@guest_view
def unlock(request, share, token):
    if not share.has_password:
        return redirect("share:page", token)
    address = client_address(request)
    form = PasswordForm(request.POST)
    if limits.used("password", share, address) >= limits.PASSWORD_TRIES:
        form.is_valid()
        form.add_error("password", f"Password: too many wrong tries from your address; try "
                                   f"again in {limits.PASSWORD_WINDOW // 60} minutes.")
        return render(request, "shares/password.html",
                      {"share": share, "token": token, "form": form}, status=429)
    if form.is_valid() and actions.password_matches(share, form.cleaned_data["password"]):
        limits.reset("password", share, address)
        request.session.cycle_key()  # a new session id once the password is passed
        _remember(request, share, unlocked=True)
        return redirect("share:page", token)
    if form.is_valid():
        limits.count("password", share, address, limits.PASSWORD_WINDOW)
        form.add_error("password", "Password: that is not the password of this link.")
    return render(request, "shares/password.html",
                  {"share": share, "token": token, "form": form}, status=400)


@require_POST
@guest_view
def name(request, share, token):
    if not _unlocked(request, share):
        return redirect("share:page", token)
    try:
        guest = actions.add_guest(share, _clean(request.POST.get("name", "")))
    except actions.ShareRefused as refused:
        return render(request, "shares/name.html", {"share": share, "token": token,
                                                    "error": str(refused)}, status=400)
    _remember(request, share, name=guest)
    return redirect("share:page", token)


def _guest(request, share) -> str:
    """The guest's name, once past the password and the name form; 404 otherwise."""
    guest = _state(request, share).get("name")
    if not _unlocked(request, share) or not guest:
        raise Http404("enter the password and your name first")
    return guest


@require_POST
@guest_view
def comment(request, share, token):
    guest = _guest(request, share)
    address = client_address(request)
    if limits.count("comment", share, address, limits.COMMENT_WINDOW) > limits.COMMENTS:
        messages.error(request, f"Comment: at most {limits.COMMENTS} comments in "
                                f"{limits.COMMENT_WINDOW // 60} minutes from one address; "
                                "try again later.")
        return redirect("share:page", token)
    seconds = _clean(request.POST.get("seconds", ""))[:40]
    text = _clean(request.POST.get("text", ""))
    try:
        review_actions.add_comment(share.clip, None, parse_time_code(seconds), text,
                                   share=share, guest_name=guest,
                                   drawing=request.POST.get("drawing", ""))
    except (TimeCodeError, review_actions.ReviewRefused) as refused:
        messages.error(request, str(refused))
        return redirect("share:page", token)
    messages.success(request, "Comment added.")
    return redirect("share:page", token)


@require_POST
@guest_view
def decide(request, share, token):
    guest = _guest(request, share)
    if not share.guests_may_decide:
        raise Http404("this link does not let guests decide")
    kind = request.POST.get("decision", "")
    try:
        if kind == "approve":
            review_actions.approve_clip(share.clip, None, share=share, guest_name=guest)
            messages.success(request, "Approved: the team sees your approval.")
        elif kind == "retake":
            review_actions.request_retake(share.clip, None, _clean(request.POST.get("note", "")),
                                          share=share, guest_name=guest)
            messages.success(request, "Retake requested: the team has your note.")
        else:
            messages.error(request, "Decision: choose approve or request a retake.")
    except review_actions.ReviewRefused as refused:
        messages.error(request, str(refused))
    return redirect("share:page", token)


@require_http_methods(["GET", "HEAD"])
@guest_view
def media(request, share, token, signed: str) -> HttpResponse:
    kind = read_media(share, signed)
    if kind is None or not _unlocked(request, share):
        raise Http404("no such file on this link")
    clip = share.clip
    if kind == "video":
        return serve_stored_file(request, clip.file, "video/mp4")
    return serve_stored_file(request, clip.poster, "image/jpeg")
