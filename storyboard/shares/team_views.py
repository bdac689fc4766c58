"""The team's side of share links: make one from a clip, a storyboard's Takes page or a
sequence's page (its reel), the list of every link the team made (what it shares, maker,
expiry, last opened, guests), and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from storyboard import shown_once
from storyboard.boards.models import Storyboard
from storyboard.jobs.models import Clip
from storyboard.sequences.models import Sequence
from storyboard.shares import actions
from storyboard.shares.forms import ShareForm
from storyboard.shares.models import ShareLink
from storyboard.teams.decorators import team_required

NEW_LINK_KEY = "new_share_link"
PAGE = 200


@require_GET
@team_required("view")
def index(request):
    links = list(ShareLink.objects.filter(team=request.team)
                 .select_related("clip__job", "storyboard", "sequence", "created_by")
                 .annotate(guest_count=Count("guests"))[:PAGE])
    new = shown_once.take(request, NEW_LINK_KEY)
    return shown_once.never_cached_if_shown(
        render(request, "shares/index.html", {"links": links, "new": new}), new)


@require_POST
@team_required("edit")
def create(request, clip_id: int):
    clip = get_object_or_404(Clip.objects.filter(team=request.team).select_related("job"),
                             pk=clip_id)
    back = request.POST.get("back") == "review"
    return _make(request, lambda *args: actions.create_share(clip, *args), f"“{clip.job.title}”",
                 reverse("review:clip" if back else "gallery:clip", args=[clip.pk]))


@require_POST
@team_required("edit")
def create_takes(request, board_id: int):
    board = get_object_or_404(Storyboard.objects.filter(team=request.team), pk=board_id)
    return _make(request, lambda *args: actions.create_takes_share(board, *args),
                 f"the takes of “{board.title}”", reverse("gallery:takes", args=[board.pk]))


@require_POST
@team_required("edit")
def create_reel(request, sequence_id: int):
    sequence = get_object_or_404(Sequence.objects.filter(team=request.team), pk=sequence_id)
    return _make(request, lambda *args: actions.create_reel_share(sequence, *args),
                 f"the reel of “{sequence.title}”",
                 reverse("sequences:detail", args=[sequence.pk]))


def _make(request, make, what: str, back: str):
    """Make a link with `make`(user, days, password, guests_may_decide) from the form; `what`
    names what it shares in the messages, `back` is the page to go back to on a refusal."""
    form = ShareForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    try:
        share, token = make(request.user, form.cleaned_data["days"],
                            form.cleaned_data["password"], form.cleaned_data["guests_may_decide"])
    except actions.ShareRefused as refused:
        messages.error(request, str(refused))
        return redirect(back)
    link = request.build_absolute_uri(reverse("share:page", args=[token]))
    # Post/redirect/get, and the link shown once: only its hash is kept.
    shown_once.keep(request, NEW_LINK_KEY, link=link, what=what)
    messages.success(request, f"Share link made for {what}. Copy it now: it is shown only once.")
    return redirect("shares:index")


@require_POST
@team_required("edit")
def revoke(request, link_id: int):
    share = get_object_or_404(ShareLink.objects.filter(team=request.team)
                              .select_related("clip__job", "storyboard", "sequence"),
                              pk=link_id)
    actions.revoke_share(share)
    what = (f"the reel of “{share.title}”" if share.shares_reel else
            f"the takes of “{share.title}”" if share.shares_takes else f"“{share.title}”")
    messages.success(request, f"Share link of {what} revoked: it no longer opens, nor does "
                              "its media.")
    return redirect("shares:index")
