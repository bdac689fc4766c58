"""Tells the library which jobs hold an image, a video or an element, from the JobSource rows.

What blocks a delete: the owner's unfinished jobs, the owner's finished jobs for elements (a
version that made a clip stays, so the clip can be retaken), and another team's unfinished
jobs only while the owner still shares with that team. Everything else lets go when the item
is deleted (library/actions.py)."""

from django.db.models import Q

from storyboard.library.access import teams_shared_with
from storyboard.library.usage import Use, register


def _uses(sources, owner_id: int):
    seen = set()  # an element's versions may fill several slots of one job: one line per job
    rows = sources.select_related("job__team", "element_version").order_by("job__created_at", "id")
    for source in rows:
        job = source.job
        if job.pk in seen:
            continue
        seen.add(job.pk)
        state = "" if job.is_final else " (still running)"
        version = (f"version {source.element_version.number} in "
                   if source.element_version_id else "")
        if job.team_id == owner_id:
            yield Use("job", f"{version}job {job.short_id}{state}", f"/jobs/{job.pk}/")
        else:  # another team's page: no link, no title
            yield Use("job", f"{version}a job of team “{job.team}”{state}")


def _holding(lookup: str, item, owner_id: int, *, finished_too: bool):
    from storyboard.jobs.models import FINAL, JobSource

    own = Q(job__team=owner_id)
    if not finished_too:
        own &= ~Q(job__state__in=FINAL)
    shared = Q(job__team__in=teams_shared_with(owner_id)) & ~Q(job__state__in=FINAL)
    return _uses(JobSource.objects.filter(**{lookup: item}).filter(own | shared), owner_id)


def register_finders() -> None:
    register("image")(lambda image: _holding("image", image, image.team_id, finished_too=False))
    register("video")(lambda video: _holding("video", video, video.team_id, finished_too=False))
    register("element")(lambda element: _holding(
        "element_version__element", element, element.team_id, finished_too=True))
