"""The team's side of share links: make one from a clip, the list of every link the team made
(clip, maker, expiry, last opened, guests), and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from storyboard import shown_once
from storyboard.jobs.models import Clip
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
                 .select_related("clip__job", "created_by")
                 .annotate(guest_count=Count("guests"))[:PAGE])
    new = shown_once.take(request, NEW_LINK_KEY)
    return shown_once.never_cached_if_shown(
        render(request, "shares/index.html", {"links": links, "new": new}), new)


@require_POST
@team_required("edit")
def create(request, clip_id: int):
    clip = get_object_or_404(Clip.objects.filter(team=request.team).select_related("job"),
                             pk=clip_id)
    form = ShareForm(request.POST)
    back = request.POST.get("back") == "review"
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("review:clip" if back else "gallery:clip", clip.pk)
    try:
        share, token = actions.create_share(clip, request.user, form.cleaned_data["days"],
                                            form.cleaned_data["password"],
                                            form.cleaned_data["guests_may_decide"])
    except actions.ShareRefused as refused:
        messages.error(request, str(refused))
        return redirect("review:clip" if back else "gallery:clip", clip.pk)
    link = request.build_absolute_uri(reverse("share:page", args=[token]))
    # Post/redirect/get, and the link shown once: only its hash is kept.
    shown_once.keep(request, NEW_LINK_KEY, link=link, title=clip.job.title)
    messages.success(request, f"Share link made for “{clip.job.title}”. Copy it now: it is "
                              "shown only once.")
    return redirect("shares:index")


@require_POST
@team_required("edit")
def revoke(request, link_id: int):
    share = get_object_or_404(ShareLink.objects.filter(team=request.team)
                              .select_related("clip__job"), pk=link_id)
    actions.revoke_share(share)
    messages.success(request, f"Share link of “{share.clip.job.title}” revoked: it no longer "
                              "opens, nor does its media.")
    return redirect("shares:index")
