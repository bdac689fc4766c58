"""`omni_batch`: the vendor batch script's workflow, done properly. Every item is checked before
anything is sent; each becomes a job recorded in the database under a key derived from the item,
so a second run of the same file resumes instead of paying again."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import re
import shutil
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django_q.conf import Conf

from storyboard.boards.editing import Cost, context_for
from storyboard.boards.state import element_attachment
from storyboard.jobs import spending, worker
from storyboard.jobs.actions import SubmitRefused, _create_job
from storyboard.jobs.models import FINAL, Job
from storyboard.jobs.sources import media_base
from storyboard.library.access import visible_elements
from storyboard.library.actions import store_upload
from storyboard.library.fetching import fetch_image, is_web_address, storing
from storyboard.library.images import MediaRefused
from storyboard.library.models import ElementVersion, ReferenceVideo
from storyboard.providers.registry import PROVIDERS
from storyboard.rules import check, parse_batch
from storyboard.rules.model import slot_kind
from storyboard.storage import local_path
from storyboard.teams.models import ProviderAccount, Team

log = logging.getLogger(__name__)

POLL_EVERY = 2.0  # the longest wait between two poll sweeps
MIN_WAIT = 0.2


class BatchRefused(Exception):
    """The file cannot run: a message, and for check failures the reports (printed as JSON)."""

    def __init__(self, message: str, reports: list | None = None, code: int = 1):
        super().__init__(message)
        self.reports = reports
        self.code = code


@dataclass
class Item:
    index: int
    value: object
    sources: dict
    key: str
    job: Job | None = None
    warnings: tuple[str, ...] = ()


def _takes_media_urls(account) -> bool:
    provider = PROVIDERS.get(account.dialect)
    return provider is None or provider.takes_media_urls


def _sources(value, base_dir: Path, account) -> tuple[dict, list[str]]:
    """Library items and local files behind the item's slots; URLs and provider ids stay refs
    (an image URL for a vendor that takes only its own uploads is downloaded at submit)."""
    sources, problems = {}, []
    elements = {e.current_version.name: e.current_version
                for e in visible_elements(account.team).select_related("current_version")
                if e.current_version_id}
    for slot, attachment in value.attachments.items():
        ref = attachment.ref.strip()
        kind = slot_kind(slot)
        if ref.startswith(("http://", "https://")):
            if kind == "video" and not _takes_media_urls(account):
                problems.append(f"{slot}: {PROVIDERS[account.dialect].label} takes only files "
                                f"uploaded to it, and a video is not downloaded from a web "
                                f"address: put the file next to the batch file and name it")
            continue
        if kind == "element":
            if ref in elements:
                sources[slot] = {"element_version": elements[ref].pk}
            # anything else is taken as a provider's element id (e.g. "u_…") and sent as is
            continue
        path = (base_dir / ref).resolve()
        if not path.is_file():
            problems.append(f"{slot}: {ref!r} is neither a URL nor a file next to the batch file")
            continue
        sources[slot] = {"path": str(path)}
    return sources, problems


def _with_library_elements(value, sources: dict):
    """An element named by its library name carries the element's facts, as in the editor, so
    the check sees a library element (created on the vendor, or sent as its pictures) and not a
    vendor id."""
    ids = [s["element_version"] for s in sources.values() if "element_version" in s]
    if not ids:
        return value
    versions = (ElementVersion.objects.select_related("element")
                .prefetch_related("images__image").in_bulk(ids))
    attachments = dict(value.attachments)
    for slot, source in sources.items():
        version = versions.get(source.get("element_version"))
        if version is None:
            continue
        images = [link.image.name for link in version.ordered_images()]
        # The element's facts as the editor gives them, under the reference as written.
        attachments[slot] = dataclasses.replace(element_attachment(version, images),
                                                ref=attachments[slot].ref)
    return dataclasses.replace(value, attachments=attachments)


def prepare(path: Path, account) -> list[Item]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BatchRefused(f"{path}: cannot be read ({error})", code=2) from None
    try:
        batch = parse_batch(text, account.dialect)
    except ValueError as error:  # BatchFormatError says where
        raise BatchRefused(f"{path}: {error}", code=2) from None
    items, reports, failing = [], [], False
    context = context_for(account)
    for index, parsed in enumerate(batch.items, start=1):
        value = parsed.storyboard
        sources, problems = _sources(value, path.parent, account)
        # The key is made from the item as written, so a rerun finds its jobs again.
        canonical = json.dumps([value.to_dict(), sources], sort_keys=True, default=str)
        value = _with_library_elements(value, sources)
        report = check(value, value.target, context)
        out = report.to_dict()
        out["problems"] = [p.to_dict() for p in parsed.problems] + out["problems"] + [
            {"severity": "error", "code": "reference_missing", "field": "references",
             "message": m} for m in problems]
        out["ok"] = report.ok and not problems
        reports.append(out)
        failing = failing or not report.ok or bool(problems)
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:40]
        warnings = tuple(p["message"] for p in out["problems"] if p["severity"] == "warning")
        items.append(Item(index, value, sources, f"batch:{account.pk}:{index}:{digest}",
                          warnings=warnings))
    if failing:
        raise BatchRefused("Nothing was submitted: fix the problems below first.", reports)
    return items


def _into_library(items: list[Item], account, user) -> None:
    """Where vendors fetch media by URL (a public base URL is set, or the account is the local
    sandbox), the files a batch names go into the team's library first — checked, re-encoded
    and deduplicated by content like any upload — so they get a signed address a vendor can
    fetch; a file sent from disk has none, and URL-only targets would refuse it. Elsewhere they
    are sent from disk (uploaded or inlined by the adapter)."""
    if media_base(account) is None:
        return
    for item in items:
        for slot, source in item.sources.items():
            if "path" not in source:
                continue
            path = Path(source["path"])
            try:
                with path.open("rb") as handle:
                    stored = store_upload(account.team, user, File(handle, name=path.name))
            except (OSError, MediaRefused) as error:
                raise BatchRefused(f"item {item.index}: {slot}: {path.name} cannot be used "
                                   f"({error}). Nothing was submitted.") from None
            kind = "video" if isinstance(stored.item, ReferenceVideo) else "image"
            item.sources[slot] = {kind: stored.item.pk}


def _addresses_into_library(items: list[Item], account, user) -> None:
    """Where the vendor takes only files uploaded to it, an image a batch gives by web address
    is downloaded (public addresses only, at most the upload limit), checked and re-encoded
    like any upload, and added to the team's library: the job then sends it as a library
    image, which the adapter uploads. All are downloaded before any is stored, so a refused
    address leaves nothing behind."""
    if _takes_media_urls(account):
        return
    wanted = [(item, slot, att.ref.strip()) for item in items
              for slot, att in sorted(item.value.attachments.items())
              if slot_kind(slot) == "image" and slot not in item.sources
              and is_web_address(att.ref)]
    fetched = {}
    for item, slot, url in wanted:
        if url not in fetched:
            try:
                fetched[url] = fetch_image(url)
            except MediaRefused as error:
                raise BatchRefused(f"item {item.index}: {slot}: {error}. Nothing was "
                                   f"submitted.") from None
    with storing(account.team, user) as store, transaction.atomic():
        stored = {url: store(prepared).item.pk for url, prepared in fetched.items()}
    for item, slot, url in wanted:
        item.sources[slot] = {"image": stored[url]}


def _within_caps(items: list[Item], account) -> None:
    """The whole batch against the monthly caps before anything is downloaded or sent: all its
    new items together must fit (each is judged again, under the lock, as it is submitted)."""
    total, unit = Decimal(0), ""
    for item in items:
        cost, unit = spending.estimate_for(account.team, item.value, _seconds(item))
        if cost.amount is None:
            total = None
            break
        total += cost.amount
    what = f"This batch of {len(items)} new item{'s' if len(items) != 1 else ''}"
    judged = spending.judge(Team.objects.get(pk=account.team_id),
                            ProviderAccount.objects.get(pk=account.pk),
                            Cost(cost.text, total), unit, what=what)
    if judged.refusal:
        raise BatchRefused(f"{judged.refusal} Nothing was submitted.")


def _seconds(item: Item) -> int:
    return check(item.value, item.value.target).total_seconds or 0


def submit_all(items: list[Item], account, user) -> None:
    """Creates the jobs not created by an earlier run; earlier ones are picked up as they are."""
    for item in items:
        item.job = Job.objects.filter(team=account.team, submit_key=item.key).first()
    new = [i for i in items if i.job is None]
    if new:
        _within_caps(new, account)
    _addresses_into_library(new, account, user)
    _into_library(new, account, user)
    for item in items:
        if item.job is None:
            try:
                with transaction.atomic():
                    title = item.value.settings.title or f"Batch item {item.index}"
                    item.job = _create_job(account.team, None, account, user, item.key,
                                           item.value, item.sources, _seconds(item))
                    item.job.title = title[:200]
                    item.job.save(update_fields=["title"])
            except SubmitRefused as refused:  # another submission took the cap's room meanwhile
                done = sum(1 for i in items if i.job is not None)
                raise BatchRefused(f"item {item.index}: {refused} {done} item(s) of the file "
                                   "are submitted; a rerun follows them.") from None


@contextlib.contextmanager
def steps_in_this_process():
    """django-q2's own `sync` option (Q_CLUSTER["sync"]) for as long as the command runs: every
    step handed to the worker (worker.dispatch, jobs.actions.enqueue) runs here and now, so the
    command needs no cluster and there is one way of handing work over. django-q2's own lines
    for each step ("ready for work", "Processed …") are kept out of the command's output."""
    queue_log = logging.getLogger("django-q")
    saved, Conf.SYNC = Conf.SYNC, True
    level = queue_log.level
    queue_log.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        Conf.SYNC = saved
        queue_log.setLevel(level)


def _wait(ids: list) -> float:
    """Seconds until the earliest of these jobs is due (a poll, a retried submit or download),
    between MIN_WAIT and POLL_EVERY: no busy loop, and no sleeping past a due job."""
    jobs = Job.objects.filter(pk__in=ids)
    due = [jobs.aggregate(m=Min("next_attempt_at"))["m"],
           jobs.filter(state="downloading").aggregate(m=Min("claimed_until"))["m"]]
    due = [d for d in due if d is not None]
    if not due:
        return POLL_EVERY
    return min(max((min(due) - timezone.now()).total_seconds(), MIN_WAIT), POLL_EVERY)


def run(items: list[Item], *, timeout: float, say) -> None:
    """Drives every job to a final state in this process (under `steps_in_this_process`): one
    poll sweep, then a wait until the next job is due, again. A sweep submits queued jobs whose
    time has come (with backoff on 429), polls concurrently and downloads finished tasks; each
    sweep is called from here, so the call stack does not grow from one poll to the next."""
    deadline = time.monotonic() + timeout
    ids = [item.job.pk for item in items]
    while True:
        try:
            worker.poll_due_jobs()
        except Exception as error:  # as in the cluster: the step's claim expires, it is redone
            log.exception("a worker step failed")
            say(f"A worker step failed ({error}); it is tried again when its claim runs out.")
        pending = Job.objects.filter(pk__in=ids).exclude(state__in=FINAL)
        if not pending.exists():
            return
        if time.monotonic() > deadline:
            say(f"Stopped waiting after {timeout:.0f} s; run the command again to resume.")
            return
        time.sleep(_wait(list(pending.values_list("pk", flat=True))))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "clip"


def write_outputs(items: list[Item], out_dir: Path) -> list[str]:
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    for item in items:
        job = Job.objects.select_related("account").get(pk=item.job.pk)
        clip = job.clips.first()
        head = f"item {item.index}: {job.state}"
        if clip is not None:
            name = out_dir / f"{item.index:03d}-{_slug(job.title)}.mp4"
            if not name.exists() or name.stat().st_size != clip.byte_size:
                shutil.copyfile(local_path(clip.file), name)
            master = "watermarked" if clip.watermarked else "clean master"
            lines.append(f"{head}  {name}  ({clip.seconds:.1f} s, {master}, job {job.short_id}"
                         f", task {job.remote_task_id or 'local'})")
        elif job.state == "failed":
            reason = job.get_failure_display() if job.failure else "failed"
            if job.needs_attention:  # e.g. a lost create: the user must look before a rerun
                reason += ", needs attention"
            lines.append(f"{head}  {reason}: {job.failure_text}  (job {job.short_id})")
        else:
            lines.append(f"{head}  (job {job.short_id}, still running)")
    return lines
