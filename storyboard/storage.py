"""Media through Django's storage API, so the files may live on this machine or on an
S3-compatible store (django-storages). Code that needs a real file on disk — PyAV, Pillow,
uploads to vendors — asks for `local_path`; new files are written locally, checked, then handed
to `keep_file`, which moves them into place atomically (local disk) or uploads them."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.utils import timezone

from storyboard.storage_sweep import sweep_orphan_objects


def is_local() -> bool:
    """Files live on this machine's disk (some remote stores answer `path()` all the same)."""
    return isinstance(storages["default"], FileSystemStorage)


def local_path(name: str) -> Path:
    """A file on this machine with the content of the stored `name` (for a remote store, a
    cached copy, fetched once)."""
    if is_local():
        return Path(default_storage.path(name))
    cache = Path(settings.VAR_DIR) / "cache" / hashlib.sha256(name.encode()).hexdigest()[:32]
    target = cache.with_suffix(Path(name).suffix)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out, default_storage.open(name, "rb") as source:
                shutil.copyfileobj(source, out, 1024 * 1024)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return target


def scratch_path(name: str) -> Path:
    """Where to build a file that will become the stored `name`: beside its final place on a
    local disk (so the last move is atomic), in the local state directory otherwise."""
    if is_local():
        path = Path(default_storage.path(name))
        path = path.with_name(f".incoming-{path.name}")
    else:
        path = Path(settings.VAR_DIR) / "incoming" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def keep_file(scratch: Path, name: str) -> str:
    """Moves a finished scratch file to the stored `name` and returns the stored name."""
    if is_local():
        final = Path(default_storage.path(name))
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scratch, final)
        return name
    try:
        with open(scratch, "rb") as handle:
            return default_storage.save(name, File(handle, name=Path(name).name))
    finally:
        scratch.unlink(missing_ok=True)


# Temporary files a killed process can leave: downloads in progress (`.part-…`, also the
# remote-store cache's copies), clips being checked before they are kept (`.incoming-…`), and
# renders in progress (the animatic's and the sequence reel's `.<name>.<random>.part`).
LEFTOVER_PREFIXES = (".part-", ".incoming-")


def is_leftover(filename: str) -> bool:
    return filename.startswith(LEFTOVER_PREFIXES) or (
        filename.startswith(".") and filename.endswith(".part"))


def sweep_leftover_files(max_age_seconds: int = 6 * 3600, now: datetime | None = None) -> dict:
    """Deletes leftovers older than `max_age_seconds` — far longer than any download or check
    runs, so nothing in progress is touched — under the media root and the local state
    directory; with media on S3, also the objects no row names (storage_sweep). `now` is the
    clock to judge ages by. Recurring (storyboard.schedules)."""
    now = now or timezone.now()
    cutoff = now.timestamp() - max_age_seconds
    roots = [Path(settings.VAR_DIR) / "incoming", Path(settings.VAR_DIR) / "cache"]
    if is_local():
        roots.append(Path(settings.MEDIA_ROOT))
    removed = 0
    for root in roots:
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if not is_leftover(path.name):
                continue
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # finished or removed meanwhile
    if is_local():
        return {"removed": removed}
    return {"removed": removed, "objects_removed": sweep_orphan_objects(max_age_seconds, now)}
