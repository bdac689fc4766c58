"""The guest's side of a share link, /s/<token>/, open without an account: the password (when
the link has one), a name entered once, then the player with the planned shots and the
comments, a comment at a time code and, when the link allows it, a decision. A link of a
storyboard's takes first lists its takes; each take has its page under /s/<token>/takes/<id>/,
with its own comments and decision.

Every view starts from the token alone: an unknown or revoked link answers 404, an expired
one 410, media included. A clip id in a URL or a media signature must be one the link shows,
else 404. What a guest has passed (the password, the name) is kept in the session under that
link's id, so passing one link opens no other."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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


def _take(share, clip_id):
    """The clip a guest URL is about: the link's own clip (no id in the URL), or a take of a
    link of takes (its id in the URL). Anything else, either way round, is 404."""
    if clip_id is None:
        if share.shares_takes:
            raise Http404("choose a take of this link")
        return share.clip
    take = actions.take_of(share, clip_id) if share.shares_takes else None
    if take is None:
        raise Http404("no such take on this link")
    return take


def _url(name: str, token: str, clip, share) -> str:
    """A guest URL about `clip`: the take's own under a link of takes."""
    if share.shares_takes:
        return reverse(f"share:take{'_' + name if name != 'page' else ''}", args=[token, clip.pk])
    return reverse(f"share:{name}", args=[token])


def _page_context(request, share, token: str, clip, **extra) -> dict:
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
        "video_url": media_url(share, token, "video", clip),
        "poster_url": media_url(share, token, "poster", clip),
        "comment_url": _url("comment", token, clip, share),
        "decide_url": _url("decide", token, clip, share), **extra,
    }


def _passed(request, share, token):
    """The password or name page while the guest has not passed them, else None."""
    if not _unlocked(request, share):
        return render(request, "shares/password.html", {"share": share, "token": token,
                                                        "form": PasswordForm()})
    if not _state(request, share).get("name"):
        return render(request, "shares/name.html", {"share": share, "token": token})
    return None


@require_GET
@guest_view
def page(request, share, token):
    actions.note_opened(share)
    gate = _passed(request, share, token)
    if gate is not None:
        return gate
    if share.shares_takes:
        return _takes(request, share, token)
    return render(request, "shares/guest.html", _page_context(request, share, token, share.clip))


TAKES_SHOWN = 200  # as the team's Takes page


def _takes(request, share, token):
    reel = actions.reel_of(share) if share.shares_reel else []
    found = actions.takes_of(share).annotate(review_state=F("review__state"),
                                             comment_count=Count("comments"))
    if share.shares_reel:  # in the order the reel plays them, each under its storyboard
        by_pk = {take.pk: take for take in found}
        takes = []
        for entry, chosen in reel:
            if chosen.pk in by_pk:
                by_pk[chosen.pk].storyboard_title = entry.storyboard.title
                takes.append(by_pk[chosen.pk])
    else:
        takes = list(found[:TAKES_SHOWN])
    start = 0.0
    for take in takes:
        take.poster_url = media_url(share, token, "poster", take)
        take.video_url = media_url(share, token, "video", take)
        take.page_url = reverse("share:take", args=[token, take.pk])
        take.review_label = ReviewState(take.review_state or ReviewState.AWAITING).label
        take.start, start = start, start + take.seconds
        take.shots = _shot_marks(take)
    return render(request, "shares/takes.html", {
        "share": share, "token": token, "takes": takes, "total": start,
        "guest_name": _state(request, share).get("name", "")})


def _shot_marks(take) -> str:
    """The planned shot boundaries scaled to the take's real length, for the reel's scrubber."""
    plan = shot_plan(take.job.snapshot or {}, take.seconds)
    planned = plan[-1].end if plan else 0
    if not planned or not take.seconds:
        return ""
    return ",".join(f"{shot.start * take.seconds / planned:.3f}" for shot in plan[1:])


@require_GET
@guest_view
def take(request, share, token, clip_id: int):
    if not share.shares_takes:
        raise Http404("this link shares one clip")
    actions.note_opened(share)
    gate = _passed(request, share, token)  # before the id: nothing of the takes till then
    if gate is not None:
        return gate
    clip = _take(share, clip_id)
    return render(request, "shares/guest.html", _page_context(request, share, token, clip))


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
def comment(request, share, token, clip_id: int | None = None):
    clip = _take(share, clip_id)
    guest = _guest(request, share)
    back = _url("page", token, clip, share)
    address = client_address(request)
    if limits.count("comment", share, address, limits.COMMENT_WINDOW) > limits.COMMENTS:
        messages.error(request, f"Comment: at most {limits.COMMENTS} comments in "
                                f"{limits.COMMENT_WINDOW // 60} minutes from one address; "
                                "try again later.")
        return redirect(back)
    seconds = _clean(request.POST.get("seconds", ""))[:40]
    text = _clean(request.POST.get("text", ""))
    try:
        review_actions.add_comment(clip, None, parse_time_code(seconds), text,
                                   share=share, guest_name=guest,
                                   drawing=request.POST.get("drawing", ""))
    except (TimeCodeError, review_actions.ReviewRefused) as refused:
        messages.error(request, str(refused))
        return redirect(back)
    messages.success(request, "Comment added.")
    return redirect(back)


@require_POST
@guest_view
def decide(request, share, token, clip_id: int | None = None):
    clip = _take(share, clip_id)
    guest = _guest(request, share)
    if not share.guests_may_decide:
        raise Http404("this link does not let guests decide")
    kind = request.POST.get("decision", "")
    try:
        if kind == "approve":
            review_actions.approve_clip(clip, None, share=share, guest_name=guest)
            messages.success(request, "Approved: the team sees your approval.")
        elif kind == "retake":
            review_actions.request_retake(clip, None, _clean(request.POST.get("note", "")),
                                          share=share, guest_name=guest)
            messages.success(request, "Retake requested: the team has your note.")
        else:
            messages.error(request, "Decision: choose approve or request a retake.")
    except review_actions.ReviewRefused as refused:
        messages.error(request, str(refused))
    return redirect(_url("page", token, clip, share))


@require_http_methods(["GET", "HEAD"])
@guest_view
def media(request, share, token, signed: str) -> HttpResponse:
    signed_for = read_media(share, signed)
    if signed_for is None or not _unlocked(request, share):
        raise Http404("no such file on this link")
    kind, clip_id = signed_for
    clip = actions.take_of(share, clip_id)  # still shown by the link (and in its team)
    if clip is None:
        raise Http404("no such file on this link")
    if kind == "video":
        return serve_stored_file(request, clip.file, "video/mp4")
    return serve_stored_file(request, clip.poster, "image/jpeg")
