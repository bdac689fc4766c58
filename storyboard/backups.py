"""Backups of a single-machine install: the SQLite database and the media folder
(`manage.py backup` / `manage.py restore`, docs/deployment.md "Backups").

The database is copied with SQLite's online backup API, which reads one consistent snapshot
while the web server and the worker keep writing (WAL). The media folder is copied after it:
files are stored before the row that names them commits, so every file the copied database
names was already on disk. The keys the state directory generated (credentials, secret key)
come along, since the restored rows need them. A manifest records what was copied and the
database's digest, so a damaged backup is refused instead of restored.

PostgreSQL and S3 have their own, better tools (pg_dump, bucket versioning); there the commands
say so and copy nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from storyboard.storage import is_leftover, is_local

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILE = "db.sqlite3"
MEDIA_FOLDER = "media"
KEYS_FOLDER = "keys"
# Generated in the state directory when the environment does not set them. Without the
# credentials key the restored provider credentials could not be decrypted; with the secret key
# sessions and signed links stay valid. A backup holding them is a secret itself.
KEY_FILES = ("credentials_key", "secret_key", "demo_password")


class BackupRefused(Exception):
    """What the command cannot do; `argument` names the option at fault (exit 2), if any."""

    def __init__(self, message: str, *, argument: str = ""):
        super().__init__(message)
        self.argument = argument


@dataclass
class Copied:
    folder: Path
    media_files: int
    media_bytes: int
    database_bytes: int


def not_here() -> str:
    """Why this install is not backed up by these commands ("" when it is)."""
    reasons = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        reasons.append("the database is PostgreSQL: back it up with pg_dump (pg_dump -Fc "
                       "\"$DATABASE_URL\" > storyboard.dump; pg_restore to bring it back)")
    if not is_local():
        reasons.append("media is on S3 storage: keep it with the bucket's versioning or "
                       "replication (docs/deployment.md, Backups)")
    return "; ".join(reasons)


def _database_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup: one consistent snapshot, whatever others write meanwhile."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=20)
    try:
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _copy_media(source: Path, target: Path) -> tuple[int, int]:
    files = size = 0
    target.mkdir(parents=True)
    if not source.is_dir():
        return 0, 0
    for path in sorted(source.rglob("*")):
        if not path.is_file() or is_leftover(path.name):
            continue  # a download or render in progress is not media yet
        relative = path.relative_to(source)
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, target / relative)
        except FileNotFoundError:
            continue  # deleted meanwhile: the copied database may still name it, see docstring
        files += 1
        size += (target / relative).stat().st_size
    return files, size


def _copy_keys(source: Path, target: Path) -> list[str]:
    target.mkdir(mode=0o700)
    copied = []
    for name in KEY_FILES:
        if (source / name).is_file():
            shutil.copy2(source / name, target / name)
            (target / name).chmod(0o600)
            copied.append(name)
    return copied


def backup(out: Path) -> Copied:
    reason = not_here()
    if reason:
        raise BackupRefused(f"nothing copied: {reason}.")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupRefused(f"{out} exists and is not an empty folder: name a new one",
                            argument="--out")
    database = _database_path()
    if not database.is_file():
        raise BackupRefused(f"there is no database at {database} yet (run manage.py studio "
                            "--no-serve or migrate first)")
    out.mkdir(parents=True, exist_ok=True)
    out.chmod(0o700)  # it holds every team's data, and the keys
    _copy_database(database, out / DATABASE_FILE)
    files, size = _copy_media(Path(settings.MEDIA_ROOT), out / MEDIA_FOLDER)
    keys = _copy_keys(Path(settings.VAR_DIR), out / KEYS_FOLDER)
    manifest = {
        "format": FORMAT,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": {"file": DATABASE_FILE, "sha256": _sha256(out / DATABASE_FILE),
                     "bytes": (out / DATABASE_FILE).stat().st_size},
        "media": {"folder": MEDIA_FOLDER, "files": files, "bytes": size},
        "keys": keys,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return Copied(out, files, size, manifest["database"]["bytes"])


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupRefused(f"{folder} is not a backup: no readable {MANIFEST} in it",
                            argument="DIR") from None
    if manifest.get("format") != FORMAT:
        raise BackupRefused(f"{folder}: backup format {manifest.get('format')!r}, this version "
                            f"restores format {FORMAT}", argument="DIR")
    database = folder / DATABASE_FILE
    if not database.is_file() or _sha256(database) != manifest["database"]["sha256"]:
        raise BackupRefused(f"{database} is missing or damaged (its digest differs from the "
                            "manifest's): nothing restored", argument="DIR")
    return manifest


def _has_tables(database: Path) -> bool:
    if not database.is_file() or database.stat().st_size == 0:
        return False
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=20) as conn:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                            ).fetchone()[0] > 0


def restore(folder: Path, *, force: bool = False) -> tuple[dict, Path | None]:
    """Brings a backup back; returns its manifest and where the media it replaced was kept."""
    reason = not_here()
    if reason:
        raise BackupRefused(f"nothing restored: {reason}.")
    if not folder.is_dir():
        raise BackupRefused(f"{folder} is not a folder", argument="DIR")
    manifest = _read_manifest(folder)
    database = _database_path()
    if _has_tables(database) and not force:
        raise BackupRefused(f"{database} already holds a database: stop the app and add "
                            "--force to replace it (its media folder is kept aside)")
    media = Path(settings.MEDIA_ROOT)
    staged = media.with_name(f"{media.name}.restoring")
    shutil.rmtree(staged, ignore_errors=True)
    source = folder / MEDIA_FOLDER
    if source.is_dir():
        shutil.copytree(source, staged)
    else:
        staged.mkdir(parents=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    # Through SQLite again, so a WAL left beside the old file cannot mix with the new pages.
    _copy_database(folder / DATABASE_FILE, database)
    kept = None
    if media.exists():
        kept = media.with_name(f"{media.name}.before-restore-{time.strftime('%Y%m%d-%H%M%S')}")
        media.rename(kept)
    staged.rename(media)
    _restore_keys(folder / KEYS_FOLDER, Path(settings.VAR_DIR), manifest.get("keys", []))
    return manifest, kept


def _restore_keys(source: Path, var_dir: Path, names: list[str]) -> None:
    """The backup's keys replace this state directory's (the restored rows were encrypted and
    signed with them); a key that differs is kept aside beside it, never lost."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in names:
        if name not in KEY_FILES or not (source / name).is_file():
            continue
        target = var_dir / name
        if target.is_file() and target.read_bytes() != (source / name).read_bytes():
            target.rename(var_dir / f"{name}.before-restore-{stamp}")
        shutil.copy2(source / name, target)
        target.chmod(0o600)
