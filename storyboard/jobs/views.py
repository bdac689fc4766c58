from __future__ import annotations

import hmac
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling
from django_q.tasks import async_task

from storyboard import keyset
from storyboard.boards.models import Storyboard
from storyboard.jobs import actions
from storyboard.jobs.models import IN_FLIGHT, Clip, Job, State
from storyboard.library.serving import serve_stored_file
from storyboard.teams.decorators import personal, team_required
from storyboard.teams.models import ProviderAccount
from storyboard.teams.scoping import for_team, get_for_team

JOBS_PAGE_SIZE = 24


def _jobs(team):
    return for_team(Job, team).select_related("account", "storyboard").prefetch_related("clips")


def capacity(team) -> list[dict]:
    """Per account: jobs in flight against its limit, and jobs waiting in the queue."""
    rows = for_team(ProviderAccount, team).annotate(
        running=Count("jobs", filter=Q(jobs__state__in=IN_FLIGHT)),
        waiting=Count("jobs", filter=Q(jobs__state=State.QUEUED)))
    return [{"account": a, "running": a.running, "waiting": a.waiting, "limit": a.max_jobs}
            for a in rows]


@require_GET
@team_required("view")
def index(request):
    """The team's jobs, newest first, a page at a time (keyset: a job never shows on two
    pages, and the cards of a page cost the same few queries however deep it is). htmx asks
    for the next page's cards alone; without JavaScript "Older jobs" opens it as a page."""
    after = keyset.parse_cursor(request.GET.get("after", ""), keyset.uuid_pk)
    jobs, cursor = keyset.page_of(_jobs(request.team), after, JOBS_PAGE_SIZE)
    context = {"jobs": jobs, "more_url": f"?{urlencode({'after': cursor})}" if cursor else None,
               "older": after is not None}
    if request.htmx and after is not None:
        return render(request, "jobs/index.html#cards", context)
    return render(request, "jobs/index.html", {**context, "capacity": capacity(request.team)})


@require_GET
@team_required("view")
def detail(request, job_id: uuid.UUID):
    job = get_for_team(_jobs(request.team), request.team, pk=job_id)
    return render(request, "jobs/detail.html", {"job": job})


@require_GET
@team_required("view")
def status(request, job_id: uuid.UUID):
    """The job card alone, for htmx polling; answers 286 (stop polling) once the job is final."""
    job = get_for_team(_jobs(request.team), request.team, pk=job_id)
    response = render(request, "jobs/_card.html", {"job": job})
    if job.is_final:
        return HttpResponseStopPolling(response.content)
    return response


@require_POST
@team_required("edit")
def submit(request, board_id: int):
    board = get_for_team(Storyboard, request.team, pk=board_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    key = request.POST.get("submit_key", "").strip()[:64]
    # The same key again (a second click once the first answered): the page has its card.
    shown = bool(key) and Job.objects.filter(team=request.team, submit_key=key).exists()
    try:
        job = actions.submit_job(board, request.user, key, version=version)
    except actions.SubmitRefused as refused:
        problems = [p.message for p in refused.report.errors] if refused.report else []
        if request.htmx:
            return render(request, "jobs/_refused.html",
                          {"message": str(refused), "problems": problems}, status=422)
        messages.error(request, " ".join([str(refused), *problems])[:1500])
        return redirect(board.get_absolute_url())
    if request.htmx:
        # A card the page shows already is replaced where it stands, never added twice. The
        # editor hears "job-submitted" and redraws its checks: the button then offers
        # another take, with a fresh key.
        response = render(request, "jobs/_card.html", {"job": job, "swap_oob": shown})
        response["HX-Trigger"] = "job-submitted"
        return response
    messages.success(request, f"Submitted: job {job.short_id} is {job.get_state_display()}.")
    return redirect("jobs:detail", job.pk)


@require_POST
@team_required("edit")
def cancel(request, job_id: uuid.UUID):
    job = get_for_team(Job, request.team, pk=job_id)
    try:
        actions.cancel_job(job)
        messages.success(request, f"Job {job.short_id} cancelled.")
    except actions.SubmitRefused as refused:
        messages.error(request, str(refused))
    return redirect("jobs:detail", job.pk)


@require_POST
@team_required("edit")
def retry(request, job_id: uuid.UUID):
    job = get_for_team(Job, request.team, pk=job_id)
    try:
        # One retry per failed job: a double click lands on the same new job.
        new = actions.retry_job(job, request.user, f"retry:{job.pk}")
    except actions.SubmitRefused as refused:
        messages.error(request, str(refused))
        return redirect("jobs:detail", job.pk)
    messages.success(request, f"Retrying as job {new.short_id}.")
    return redirect("jobs:detail", new.pk)


@require_POST
@team_required("edit")
def remix(request, job_id: uuid.UUID):
    job = get_for_team(Job, request.team, pk=job_id)
    board = actions.remix_job(job, request.user)
    messages.success(request, f"New storyboard “{board.title}” from job {job.short_id}.")
    return redirect(board.get_absolute_url())


@require_GET
@team_required("view")
def clip_file(request, clip_id: int):
    clip = get_for_team(Clip, request.team, pk=clip_id)
    download = request.GET.get("download") == "1"
    return serve_stored_file(request, clip.file, "video/mp4",
                             f"{clip.job.title[:60]}-{clip.job.short_id}.mp4" if download
                             else None, attachment=download)


@require_GET
@team_required("view")
def clip_poster(request, clip_id: int):
    clip = get_for_team(Clip, request.team, pk=clip_id)
    return serve_stored_file(request, clip.poster, "image/jpeg")


@csrf_exempt  # providers cannot send our CSRF token; the per-job secret stands in for it
@login_not_required
@require_POST
@personal
def callback(request, job_id: uuid.UUID, secret: str):
    """A provider says something changed. Never trusted as is: it only triggers a poll with our
    own credentials. Unknown or forged callbacks change nothing and learn nothing."""
    job = Job.objects.filter(pk=job_id).only("pk", "callback_secret", "state").first()
    if job is None or not hmac.compare_digest(job.callback_secret, secret):
        return HttpResponse(status=404)
    if job.state in (State.SUBMITTED, State.PROCESSING):
        async_task("storyboard.jobs.worker.poll_job", str(job.pk))
    return HttpResponse(status=204)
