"""How a job gets past what real vendors do: references they forgot, and creates whose answer
was lost.

Forgotten references. A vendor may delete an element or an uploaded file we cached (by hand on
its dashboard, by expiry, or the local sandbox restarted without its data): the cached ids are
dropped and made again, once per job (`Job.elements_recreated`, `Job.uploads_redone`).

Lost creates. When a create call timed out, the task may exist and be billed. It is looked up by
our job id with backoff; a lookup that finds nothing is only believed once the vendor has had
time to list a new task. Then the create is sent again only where the vendor refuses a second
create with the same external id (`Provider.idempotent_create`), and only once; otherwise the
job ends "needs attention" with what to check on the vendor's dashboard. Settings (seconds and
counts; each has a default here so an install need not set them):

* ``STORYBOARD_LOST_CREATE_SETTLE`` (60): how long after the create was sent a lookup that
  finds nothing is still tried again, because a vendor may list a new task late.
* ``STORYBOARD_LOST_CREATE_LOOKUPS`` (12): at most this many lookups per lost create.
* ``STORYBOARD_LOST_CREATE_MAX_AGE`` (1800): lookups that keep failing stop this long after
  the create was sent.
* ``STORYBOARD_SUBMIT_MAX_STALLS`` (5): a job whose worker stopped (crashed, killed) this many
  times in the middle of submitting ends "needs attention" instead of being restarted forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from storyboard.jobs import rows
from storyboard.jobs.models import Job, RemoteElement
from storyboard.jobs.sources import job_sources
from storyboard.providers.base import Media

DEFAULTS = {
    "STORYBOARD_LOST_CREATE_SETTLE": 60,
    "STORYBOARD_LOST_CREATE_LOOKUPS": 12,
    "STORYBOARD_LOST_CREATE_MAX_AGE": 1800,
    "STORYBOARD_SUBMIT_MAX_STALLS": 5,
}


def setting(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


# --- forgotten references ----------------------------------------------------------------

@dataclass(frozen=True)
class MissingElements:
    names: tuple[str, ...]  # how the user knows each element: its name and the vendor's id
    given_as_ids: tuple[str, ...]  # ids the job carried as they are: we cannot make them again


def forget_elements(job: Job, remote_ids: tuple[str, ...]) -> MissingElements:
    """Drops the cached ids the vendor says do not exist (and their creation tasks, so the next
    submit creates the elements anew) and says which elements they were."""
    ids = tuple(str(i) for i in remote_ids)
    rows_ = RemoteElement.objects.filter(account=job.account, remote_id__in=ids)
    known = {r.remote_id: r.element_version.name
             for r in rows_.select_related("element_version")}
    rows_.update(remote_id="", creation_task="")
    attachments = job.snapshot.get("attachments") or {}
    given = {str(a.get("ref", "")) for slot, a in attachments.items()
             if slot.startswith("element_") and "element_version" not in
             (job.slot_sources.get(slot) or {})}
    names = tuple(f"{known[i]!r} (id {i})" if i in known else f"id {i}" for i in ids)
    return MissingElements(names, tuple(i for i in ids if i in given))


def job_media(job: Job) -> list[Media]:
    """Every file behind the job's slots, element images included."""
    sources = job_sources(job)
    found = [sources.media(slot) for slot in job.slot_sources]
    for slot in job.slot_sources:
        element = sources.element(slot)
        if element:
            found.extend(m for m in (element.spec.frontal, *element.spec.extra) if m)
    return [m for m in found if m is not None]


def forget_uploads(job: Job, provider) -> None:
    for sha in {m.sha256 for m in job_media(job)}:
        provider.asset_cache.pop(sha, None)


def elements_gone_text(missing: MissingElements, *, again: bool) -> str:
    names = ", ".join(missing.names)
    if missing.given_as_ids:
        return (f"The provider has no element {names}. It was given as an id, so it cannot be "
                "created again: create it on the provider's side or use a library element.")
    return (f"The provider has no element {names}, even after it was created again."
            if again else f"The provider has no element {names}.")


# --- lost creates ------------------------------------------------------------------------

def create_age(job: Job) -> float:
    sent = job.create_sent_at or job.created_at
    return (rows.now() - sent).total_seconds()


def lookup_delay(lookups: int, retry_after: float | None = None) -> timedelta:
    return rows.steady_backoff(lookups, retry_after)


def nothing_found_is_final(job: Job, lookups: int) -> bool:
    """A lookup found nothing: believe it once the vendor had time to list the task."""
    return (create_age(job) >= setting("STORYBOARD_LOST_CREATE_SETTLE")
            or lookups >= setting("STORYBOARD_LOST_CREATE_LOOKUPS"))


def lookups_exhausted(job: Job, lookups: int) -> bool:
    return (lookups >= setting("STORYBOARD_LOST_CREATE_LOOKUPS")
            or create_age(job) >= setting("STORYBOARD_LOST_CREATE_MAX_AGE"))


def _check_dashboard(job: Job, who: str) -> str:
    return (f"On {who}'s dashboard, look for a task made at {job.create_sent_at:%H:%M} UTC"
            f" (our job id {job.pk}); retry this job only if there is none, so as not to pay "
            "twice.")


def unsearchable_text(job: Job, who: str) -> str:
    return ("The create call was sent but no answer came back, and "
            f"{who} cannot look a task up by our job id, so it was not sent again. "
            + _check_dashboard(job, who))


def not_listed_text(job: Job, who: str, lookups: int, *, resent: bool) -> str:
    what = ("The create call was sent again (the provider refuses a duplicate), and again no "
            "answer came back" if resent else "The create call was sent but no answer came back")
    return (f"{what}; {who} did not list the task in {lookups} lookups over "
            f"{create_age(job):.0f} s, so it was not sent again. " + _check_dashboard(job, who))


def lookup_failed_text(job: Job, who: str, lookups: int, words: str) -> str:
    reason = f" The last answer: {words}" if words else ""
    return (f"The create call was sent but no answer came back, and {lookups} lookups of the "
            f"task at {who} failed, so it was not sent again. " + _check_dashboard(job, who)
            + reason)


def stalled_text(job: Job) -> str:
    sent = (" A create call may have gone out: " + _check_dashboard(job, "the provider")
            if job.create_sent_at else "")
    return (f"The worker stopped {job.stalls} times in the middle of submitting this job, so "
            "it is not restarted again: see the worker's log." + sent)
