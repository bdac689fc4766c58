"""Gallery: the clip grid with filters and "load more", a clip's details, all takes of a
storyboard family, two takes side by side."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from storyboard.boards.models import Storyboard
from storyboard.gallery import details
from storyboard.gallery.cards import with_links
from storyboard.gallery.forms import GalleryFilters
from storyboard.gallery.queries import (
    FAMILY_DEPTH,
    apply_filters,
    card_rows,
    clips_for,
    family_ids,
    page_of,
    parse_cursor,
)
from storyboard.jobs.models import Clip
from storyboard.library.access import visible_elements
from storyboard.review import actions
from storyboard.review.timing import shot_plan
from storyboard.teams.decorators import personal, team_required
from storyboard.teams.models import ProviderAccount
from storyboard.teams.scoping import for_team, get_for_team

BOARD_CHOICES_MAX = 500


def _choices(team):
    boards = list(for_team(Storyboard, team).order_by("title", "id")
                  .values_list("id", "title")[:BOARD_CHOICES_MAX])
    accounts = list(for_team(ProviderAccount, team).order_by("label")
                    .values_list("id", "label"))
    elements = sorted(visible_elements(team).filter(current_version__isnull=False)
                      .values_list("id", "current_version__name"), key=lambda e: e[1].lower())
    return boards, accounts, elements


@require_GET
@team_required("view")
def index(request):
    boards, accounts, elements = _choices(request.team)
    form = GalleryFilters(request.GET, request.team, boards=boards, accounts=accounts,
                          elements=elements)
    after = parse_cursor(request.GET.get("after", ""))
    clips, cursor = [], None
    if not form.errors:
        clips, cursor = page_of(card_rows(apply_filters(
            clips_for(request.team, request.user), form.filters, request.user)), after)
    query = {k: v for k, v in form.values.items() if v}
    context = {"form": form, "clips": with_links(clips), "here": request.get_full_path(),
               "more_url": f"?{urlencode({**query, 'after': cursor})}" if cursor else None}
    if request.htmx and after is not None:
        return render(request, "gallery/index.html#cards", context)
    if request.htmx and request.htmx.target == "results":
        return render(request, "gallery/index.html#results", context)
    return render(request, "gallery/index.html", context)


@require_GET
@team_required("view")
def clip(request, clip_id: int):
    clip = get_object_or_404(clips_for(request.team, request.user).select_related(
        "job__storyboard", "job__created_by"), pk=clip_id)
    job = clip.job
    with_links([clip])
    return render(request, "gallery/clip.html", {
        "clip": clip, "job": job, "plan": shot_plan(job.snapshot, clip.seconds),
        "references": details.references(job, request.team),
        "versions": details.element_versions(job),
        "decisions": clip.decisions.select_related("decided_by", "revision"),
    })


@require_GET
@team_required("view")
def takes(request, board_id: int):
    board = get_for_team(Storyboard, request.team, pk=board_id)
    ids = family_ids(board.pk, request.team)
    boards = {b.pk: b for b in Storyboard.objects.filter(pk__in=ids)}
    clips = with_links(card_rows(clips_for(request.team, request.user).filter(
        job__storyboard_id__in=ids))[:200])
    groups: dict[int, list[Clip]] = {}
    for c in clips:
        groups.setdefault(c.job.storyboard_id, []).append(c)
    revisions = sorted(boards.values(), key=lambda b: (b.created_at, b.pk), reverse=True)
    return render(request, "gallery/takes.html", {
        "board": board, "clips": clips, "here": request.get_full_path(),
        "groups": [(b, groups.get(b.pk, [])) for b in revisions],
        "approved": [c for c in clips if c.review_state == "approved"],
        "depth": FAMILY_DEPTH,
    })


@require_GET
@team_required("view")
def compare(request):
    wanted = [t for t in request.GET.getlist("take") if t.isdigit() and len(t) < 12]
    if len(wanted) != 2 or wanted[0] == wanted[1]:
        messages.error(request, "Compare: choose exactly two different takes.")
        back = request.GET.get("board", "")
        if back.isdigit() and len(back) < 12:
            return redirect("gallery:takes", int(back))
        return redirect("gallery:index")
    found = clips_for(request.team, request.user).select_related("job__storyboard").in_bulk(
        [int(t) for t in wanted])
    if len(found) != 2:
        raise Http404("no such take")  # another team's take, or none
    pair = [found[int(t)] for t in wanted]
    return render(request, "gallery/compare.html", {
        "pair": [(c, shot_plan(c.job.snapshot, c.seconds)) for c in pair]})


@require_POST
@personal  # a star is the user's own, never the team's: any member may star, viewers too
def favourite(request, clip_id: int):
    if request.team is None:
        return redirect("teams:none")
    clip = get_for_team(Clip, request.team, pk=clip_id)
    starred = actions.toggle_favourite(clip, request.user)
    if request.htmx:
        clip.starred = starred
        with_links([clip])
        return render(request, "gallery/_clip_card.html#star", {"clip": clip})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith("/"):
        return redirect(back)
    return redirect(reverse("gallery:clip", args=[clip.pk]))


