"""Writes on jobs from the web side: submit, cancel, retry, remix. The worker's side is in
worker.py. Each runs in one transaction; the worker is told after commit."""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django_q.tasks import async_task

from storyboard.audit import actions as audit
from storyboard.boards.actions import remix_storyboard
from storyboard.boards.convert import slot_sources, to_value, with_related
from storyboard.boards.editing import context_for, estimate
from storyboard.boards.models import RateCard, Storyboard
from storyboard.jobs import spending, waits, wakes
from storyboard.jobs.models import FINAL, Failure, Job, JobSource, State
from storyboard.library.access import teams_sharing_with
from storyboard.library.models import ElementVersion
from storyboard.rules import Report, check
from storyboard.rules import Storyboard as Value
from storyboard.webhooks import events as webhook_events


class SubmitRefused(Exception):
    """`report`: the check's, when the storyboard has errors; `spend`: the caps' judgement
    (spending.Judgement), when a monthly cap refused it."""

    def __init__(self, message: str, report: Report | None = None, spend=None):
        super().__init__(message)
        self.report = report
        self.spend = spend


def enqueue(task: str, job_id) -> None:
    transaction.on_commit(lambda: async_task(f"storyboard.jobs.worker.{task}", str(job_id)))


def submit_job(board: Storyboard, user, submit_key: str, *, version: int | None = None) -> Job:
    """One job for this storyboard as it stands; the same submit_key returns the same job."""
    submit_key = (submit_key or "").strip()[:64]
    if not submit_key:
        raise SubmitRefused("The form is missing its submit key: reload the page.")
    existing = Job.objects.filter(team=board.team_id, submit_key=submit_key).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            # Locked like delete_storyboard locks it, so the two cannot interleave.
            if not Storyboard.objects.select_for_update().filter(pk=board.pk).exists():
                raise SubmitRefused("This storyboard was deleted: nothing was submitted.")
            board = with_related(Storyboard.objects).get(pk=board.pk)
            if version is not None and board.version != version:
                raise SubmitRefused(
                    f"The storyboard changed since this page was loaded (version {version}, "
                    f"now {board.version}): look at the newer state and submit again.")
            value = to_value(board)
            report = check(value, value.target, context_for(board.account))
            if not report.ok:
                raise SubmitRefused("The storyboard has problems to fix before it can be "
                                    "submitted.", report)
            job = _create_job(board.team, board, board.account, user, submit_key, value,
                              slot_sources(board), report.total_seconds or 0)
    except IntegrityError:  # the same key raced in from a second request
        existing = Job.objects.filter(team=board.team_id, submit_key=submit_key).first()
        if existing is None:
            raise
        return existing
    return job


def _create_job(team, board, account, user, submit_key, value: Value, sources, seconds) -> Job:
    """Every path that submits comes here, inside its transaction: the estimate is recorded and
    the monthly caps judged (under a lock on the team's row) before anything is sent."""
    cost, unit = spending.estimate_for(team, value, seconds)
    locked = spending.lock_team(team.pk)
    judged = spending.judge(locked, account, cost, unit)
    if judged.refusal:
        raise SubmitRefused(judged.refusal, spend=judged)
    job = Job.objects.create(
        team=team, storyboard=board, account=account, created_by=user, submit_key=submit_key,
        dialect=value.target.dialect, model=value.target.model,
        title=value.settings.title or (board.title if board else "Untitled"),
        snapshot=value.to_dict(), slot_sources=sources, planned_seconds=seconds,
        prompt_text=prompt_text(value), estimated_cost=cost.amount,
        next_attempt_at=timezone.now(), **waits.for_worker())
    spending.leave_notices(locked, judged.reaching)
    record_sources(job, sources)
    if value.target.dialect != "animatic":  # the animatic is rendered here, for nothing
        audit.record(audit.Kind.JOB_SUBMITTED, team=team, target=job, target_text=job.title,
                     details=_submission_facts(team, account, value, seconds))
    enqueue("submit_job_task", job.id)
    return job


def _submission_facts(team, account, value: Value, seconds: int) -> dict:
    """What the audit log keeps of a paid submission: the target and the cost the editor
    estimated for it, from the team's rate card as it is now (boards/editing.py: estimate)."""
    card = RateCard.objects.filter(team=team).first()
    report = Report(target=value.target, total_seconds=seconds, seconds_range=None,
                    slots_used=0, slots_limit=None)
    # estimate() reads the mode and the number of outputs from the editor's state; the
    # submitted settings carry the same two fields.
    cost = estimate(report, value.settings, card)
    return {"account": account.label if account else "", "dialect": value.target.dialect,
            "model": value.target.model, "mode": value.settings.mode, "seconds": seconds,
            "estimated_cost": str(cost.amount) if cost.amount is not None else None,
            "unit": card.unit if card else "", "estimate": cost.text}


def record_sources(job: Job, sources: dict[str, dict]) -> None:
    """The job's library items as JobSource rows (files named by a batch file have none), and
    the team's own element versions stamped as used. A version of another team's shared
    library is not stamped: another team's use never holds the owner's things."""
    rows = [JobSource(job=job, slot=slot, **{f"{kind}_id": source[kind]})
            for slot, source in sources.items()
            for kind in ("image", "video", "element_version") if kind in source]
    JobSource.objects.bulk_create(rows)
    version_ids = [row.element_version_id for row in rows if row.element_version_id]
    for version in ElementVersion.objects.filter(pk__in=version_ids, locked_at__isnull=True,
                                                 element__team=job.team_id):
        version.lock()  # a version its own team's job used never changes


def prompt_text(value: Value) -> str:
    texts = [value.settings.title, value.settings.prompt, *(s.prompt for s in value.shots)]
    return "\n".join(t for t in texts if t)


def retry_job(job: Job, user, submit_key: str) -> Job:
    """A new job from the same snapshot (the failed one stays as it was)."""
    if job.state not in (State.FAILED, State.CANCELLED):
        raise SubmitRefused("Only a failed or cancelled job can be retried.")
    existing = Job.objects.filter(team=job.team_id, submit_key=submit_key).first()
    if existing:
        return existing
    value = Value.from_dict(job.snapshot)
    with transaction.atomic():
        return _create_job(job.team, job.storyboard, job.account, user, submit_key, value,
                           job.slot_sources, job.planned_seconds)


def cancel_job(job: Job) -> Job:
    """Jobs not sent yet are simply not sent; a sent one is marked cancelled and its result
    ignored (the provider cannot be told to stop). Its slot of the account goes at once to the
    oldest job waiting for one."""
    now = timezone.now()
    # Judged by the row as it is now: the worker may have sent it since this page was loaded.
    text = models.Case(
        models.When(create_sent_at__isnull=True, then=models.Value("Cancelled.")),
        default=models.Value("Cancelled after it was sent: the provider may still finish (and "
                             "charge); the result will be ignored."))
    changed = Job.objects.filter(pk=job.pk).exclude(state__in=FINAL).update(
        state=State.CANCELLED, finished_at=now, updated_at=now, next_attempt_at=None,
        failure_text=text, **waits.CLEARED)
    if not changed:
        raise SubmitRefused(f"This job is already {job.get_state_display().lower()}.")
    job.refresh_from_db()
    for other in wakes.fill(job.account_id):
        enqueue("submit_job_task", other)
    return job


def remix_job(job: Job, user) -> Storyboard:
    """A new storyboard pre-filled from the job's snapshot, with the same library items (those
    the team may no longer use leave their slot empty)."""
    return remix_storyboard(job.team, user, f"{job.title} (remix)", Value.from_dict(job.snapshot),
                            job.slot_sources, parent=job.storyboard, account=job.account)


def fail_jobs_using_unshared(from_team, to_team) -> int:
    """`from_team` stopped sharing its library with `to_team`: that team's jobs not yet sent
    that use one of its elements fail now, saying so (a job already sent goes on)."""
    using = JobSource.objects.filter(job__team=to_team, element_version__element__team=from_team)
    now = timezone.now()
    failed = 0
    for job_id, names in _element_names_by_job(using.filter(job__state=State.QUEUED)).items():
        failed += Job.objects.filter(pk=job_id, state=State.QUEUED).update(
            state=State.FAILED, failure=Failure.UNAVAILABLE, finished_at=now, updated_at=now,
            next_attempt_at=None, **waits.CLEARED,
            failure_text=f"Not sent: team “{from_team}” no longer shares its library with "
                         f"this team, and the job uses its element {names}.")
        webhook_events.job_ended(job_id, to_team.id)  # job.failed, if it failed just now
    return failed


def unshared_text(job: Job) -> str:
    """Why `job` may not be sent (another team's element it uses is no longer shared with
    its team), or "". The worker asks before sending: a revoke can land after the job was
    queued and before `fail_jobs_using_unshared` saw it."""
    foreign = JobSource.objects.filter(job=job, element_version__isnull=False).exclude(
        element_version__element__team=job.team_id).exclude(
        element_version__element__team__in=teams_sharing_with(job.team_id))
    names = _element_names_by_job(foreign).get(job.pk)
    if not names:
        return ""
    return (f"Not sent: the team that owns element {names} no longer shares its library with "
            f"this team.")


def _element_names_by_job(sources) -> dict:
    names: dict = {}
    for job_id, name in sources.values_list("job_id", "element_version__name").order_by("slot"):
        names.setdefault(job_id, []).append(f"“{name}”")
    return {job_id: ", ".join(dict.fromkeys(found)) for job_id, found in names.items()}
