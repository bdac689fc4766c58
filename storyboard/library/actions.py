"""Writes on the library. Views parse input, call one of these, render.

Uploads are checked completely before anything is written; files go to storage only after every
check passed, inside the same `transaction.atomic()` as their rows, and are deleted again if
anything fails, so a refused upload leaves neither a row nor a file. A refusal raises
MediaRefused (uploads) or LibraryError (everything else) with a message for the user.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from storyboard.library import limits, usage
from storyboard.library.images import MediaRefused, PreparedImage, display_name, prepare_image
from storyboard.library.models import (
    Element,
    ElementImage,
    ElementVersion,
    LibraryShare,
    ReferenceImage,
    ReferenceVideo,
    Tag,
)
from storyboard.library.videos import (
    VideoInfo,
    check_video,
    check_voice_clip,
    looks_like_iso_media,
    poster_jpeg,
    probe_video,
    trim_video,
)
from storyboard.teams.models import Team

log = logging.getLogger(__name__)

__all__ = ["MediaRefused", "LibraryError"]


class LibraryError(Exception):
    """A library change refused for a reason the user should read. `field` names the form field
    to highlight ("" for the whole form)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# --- storage ---------------------------------------------------------------------------------


def _storage_name(team_id: int, ext: str) -> str:
    return f"library/{team_id}/{secrets.token_hex(16)}.{ext}"


class _Files:
    """Files written during one action; `discard()` removes them when the action fails."""

    def __init__(self):
        self.saved: list[str] = []

    def save(self, name: str, content) -> str:
        stored = default_storage.save(name, content)
        self.saved.append(stored)
        return stored

    def discard(self) -> None:
        for name in self.saved:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        self.saved.clear()


@contextlib.contextmanager
def _writing() -> Iterator[_Files]:
    files = _Files()
    try:
        with transaction.atomic():
            yield files
    except BaseException:
        files.discard()
        raise


def _delete_files_after_commit(names: Sequence[str]) -> None:
    def delete():
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:  # a leftover file is harmless; a failed delete must not 500
                log.warning("could not delete %s from storage", name)

    transaction.on_commit(delete)


@contextlib.contextmanager
def _local_path(upload) -> Iterator[str]:
    """A path on disk for an uploaded file (PyAV reads files): Django's temporary file when
    there is one, else a copy in a temporary file that is removed afterwards."""
    if hasattr(upload, "temporary_file_path"):
        yield upload.temporary_file_path()
        return
    fd, path = tempfile.mkstemp(suffix=".upload")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _sha256_of_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _head(upload, size: int = 12) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


# --- images ----------------------------------------------------------------------------------


@dataclass
class Stored:
    """The outcome of one upload: the library item and whether it is new."""

    item: ReferenceImage | ReferenceVideo
    created: bool

    @property
    def message(self) -> str:
        if self.created:
            return f"Added “{self.item.name}”."
        return f"Already in the library as “{self.item.name}”: nothing new was stored."


def read_image_upload(upload) -> bytes:
    """The uploaded bytes, refusing an oversized file before reading it."""
    problem = limits.size_problem(upload.size or 0, limits.IMAGE_MAX_BYTES)
    if problem:
        raise MediaRefused(problem)
    upload.seek(0)
    return upload.read(limits.IMAGE_MAX_BYTES + 1)


def _existing_image(team: Team, sha256: str) -> ReferenceImage | None:
    return ReferenceImage.objects.filter(team=team, sha256=sha256).first()


def store_prepared_image(team: Team, user, prepared: PreparedImage,
                         files: _Files | None = None) -> Stored:
    """Store an image that passed `prepare_image`; the same image already in the team's
    library is returned instead of a second copy."""
    existing = _existing_image(team, prepared.sha256)
    if existing:
        return Stored(existing, False)
    own = files is None
    if own:
        files = _Files()
    mark = len(files.saved)
    try:
        with transaction.atomic():
            base = _storage_name(team.pk, prepared.extension).rsplit(".", 1)[0]
            file = files.save(f"{base}.{prepared.extension}", ContentFile(prepared.data))
            thumbs = {
                size: files.save(f"{base}_{size}.{prepared.thumb_extension}", ContentFile(data))
                for size, data in prepared.thumbs.items()
            }
            image = ReferenceImage.objects.create(
                team=team, name=prepared.display_name, format=prepared.format,
                width=prepared.width, height=prepared.height, file=file,
                thumb_256=thumbs[256], thumb_768=thumbs[768], thumb_format=prepared.thumb_format,
                byte_size=len(prepared.data), sha256=prepared.sha256, uploaded_by=user,
            )
        return Stored(image, True)
    except IntegrityError:
        # The same image arrived twice at once: keep the first one, drop this one's files.
        for name in files.saved[mark:]:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        del files.saved[mark:]
        existing = _existing_image(team, prepared.sha256)
        if existing is None:
            raise
        return Stored(existing, False)
    except BaseException:
        if own:
            files.discard()
        raise


def store_image_upload(team: Team, user, upload) -> Stored:
    """Check, re-encode and store one uploaded image (docs/rules.md §13), or raise MediaRefused."""
    data = read_image_upload(upload)
    sha256 = hashlib.sha256(data).hexdigest()
    existing = _existing_image(team, sha256) if data else None
    if existing:
        return Stored(existing, False)
    return store_prepared_image(team, user, prepare_image(data, upload.name, sha256))


# --- videos ----------------------------------------------------------------------------------


def _check_video_size(upload) -> None:
    problem = limits.size_problem(upload.size or 0, limits.VIDEO_MAX_BYTES)
    if problem:
        raise MediaRefused(problem)
    if not upload.size:
        raise MediaRefused("the file is empty (0 bytes): MP4 or MOV only")


def store_video_upload(team: Team, user, upload) -> Stored:
    """Check and store one reference video (docs/rules.md §14: 3–10 s), with a poster frame."""
    _check_video_size(upload)
    with _local_path(upload) as path:
        sha256 = _sha256_of_file(path)
        existing = ReferenceVideo.objects.filter(team=team, sha256=sha256).first()
        if existing:
            return Stored(existing, False)
        info = check_video(path, max_seconds=limits.REFERENCE_VIDEO_MAX_SECONDS)
        poster = poster_jpeg(path)
        ext = "mov" if info.container == "MOV" else "mp4"
        with _writing() as files:
            base = _storage_name(team.pk, ext).rsplit(".", 1)[0]
            with open(path, "rb") as fh:
                file = files.save(f"{base}.{ext}", File(fh))
            poster_name = files.save(f"{base}_poster.jpg", ContentFile(poster))
            video = ReferenceVideo.objects.create(
                team=team, name=display_name(upload.name, "video"), container=info.container,
                codec=info.codec, seconds=info.seconds, width=info.width, height=info.height,
                fps=info.fps, file=file, poster=poster_name, byte_size=os.path.getsize(path),
                sha256=sha256, uploaded_by=user,
            )
    return Stored(video, True)


def store_upload(team: Team, user, upload) -> Stored:
    """One file from the library's drop zone: a video when its content is an MP4/MOV container,
    otherwise an image. The file name and Content-Type are not trusted."""
    if looks_like_iso_media(_head(upload)):
        return store_video_upload(team, user, upload)
    return store_image_upload(team, user, upload)


# --- rename and delete -----------------------------------------------------------------------


def _clean_display_name(name: str) -> str:
    name = " ".join(re.sub(r"[\x00-\x1f\x7f]", "", name or "").split())
    if not name:
        raise LibraryError("Name: enter a name.", "name")
    if len(name) > limits.DISPLAY_NAME_MAX:
        raise LibraryError(
            f"Name: at most {limits.DISPLAY_NAME_MAX} characters (this one has {len(name)}).",
            "name",
        )
    return name


def _clean_tag(tag: str, *, required: bool) -> str:
    tag = (tag or "").strip()
    if not tag and not required:
        return ""
    if tag not in Tag.values:
        raise LibraryError(f"Tag: choose one of {', '.join(Tag.values)}.", "tag")
    return tag


def rename_item(item: ReferenceImage | ReferenceVideo, name: str, tag: str = "") -> None:
    item.name = _clean_display_name(name)
    item.tag = _clean_tag(tag, required=False)
    item.save(update_fields=["name", "tag"])


def _refuse_if_used(kind: str, obj, what: str) -> None:
    uses = usage.uses_of(kind, obj)
    if uses:
        raise LibraryError(
            f"“{obj}” cannot be deleted while it is used: {usage.describe(uses)}. "
            f"Remove it there first{what}."
        )


def _let_go(lookup: str, obj, owner_id: int) -> None:
    """Before deleting `obj` (nothing blocks it, `_refuse_if_used` said): remove what holds it
    without blocking — other teams' storyboard slots and jobs (what they hold of a shared
    library lasts as long as the library does) and finished jobs' sources (their clips are
    made; the snapshot still names the item). A use that raced in since keeps its row, and
    the database refuses the delete (PROTECT)."""
    # Imported here: boards and jobs build on the library, not the other way round.
    from storyboard.boards.models import Slot
    from storyboard.jobs.models import FINAL, JobSource

    Slot.objects.filter(**{lookup: obj}).exclude(storyboard__team=owner_id).delete()
    JobSource.objects.filter(**{lookup: obj}).filter(
        Q(job__state__in=FINAL) | ~Q(job__team=owner_id)).delete()


def _delete_refused_if_used(kind: str, obj, lookup: str, names: list[str]) -> None:
    try:
        with transaction.atomic():
            _refuse_if_used(kind, obj, "")
            _let_go(lookup, obj, obj.team_id)
            if isinstance(obj, Element):  # the element points at a version of its own
                obj.current_version = None
                obj.save(update_fields=["current_version"])
            obj.delete()
            _delete_files_after_commit(names)
    except (ProtectedError, IntegrityError):  # a job or slot took it meanwhile
        raise LibraryError(f"“{obj}” cannot be deleted: it was just put to use. Look at "
                           f"where it is used and try again.") from None


def delete_image(image: ReferenceImage) -> None:
    _delete_refused_if_used("image", image, "image", image.storage_names())


def delete_video(video: ReferenceVideo) -> None:
    _delete_refused_if_used("video", video, "video", video.storage_names())


# --- elements --------------------------------------------------------------------------------

ImageChoice = ReferenceImage | object  # a ReferenceImage, or an uploaded file (on the spot)


@dataclass
class ElementInput:
    """What an element form says. `frontal` and `extras` are ReferenceImages of the team or
    uploaded files (stored in the library on the way). On edit, `clip=None` keeps the clip."""

    name: str
    tag: str
    description: str = ""
    frontal: ImageChoice | None = None
    extras: Sequence[ImageChoice] = field(default_factory=list)
    clip: object | None = None
    voice_id: str = ""
    voice_clip: object | None = None
    remove_voice_clip: bool = False


def _clean_fields(data: ElementInput) -> tuple[str, str, str]:
    name = " ".join((data.name or "").split())
    if not name:
        raise LibraryError("Name: enter a name.", "name")
    if len(name) > limits.ELEMENT_NAME_MAX:
        raise LibraryError(
            f"Name: at most {limits.ELEMENT_NAME_MAX} characters (this one has {len(name)}).",
            "name",
        )
    tag = _clean_tag(data.tag, required=True)
    description = " ".join((data.description or "").split())
    if len(description) > limits.ELEMENT_DESCRIPTION_MAX:
        raise LibraryError(
            f"Description: at most {limits.ELEMENT_DESCRIPTION_MAX} characters "
            f"(this one has {len(description)}).", "description",
        )
    return name, tag, description


def _label(field_name: str, index: int | None = None) -> str:
    return "Frontal image" if field_name == "frontal" else f"Extra angle {index}"


def _prepare_images(team: Team, data: ElementInput) -> list[ReferenceImage | PreparedImage]:
    """Check every image choice (uploads are decoded and checked here, nothing is stored)."""
    if data.frontal is None:
        raise LibraryError("Frontal image: choose one from the library or upload one.", "frontal")
    extras = list(data.extras)
    if len(extras) > limits.ELEMENT_MAX_EXTRA_IMAGES:
        raise LibraryError(
            f"Extra angles: at most {limits.ELEMENT_MAX_EXTRA_IMAGES} images "
            f"({len(extras)} chosen).", "extras",
        )
    prepared: list[ReferenceImage | PreparedImage] = []
    for index, choice in enumerate([data.frontal, *extras]):
        field_name = "frontal" if index == 0 else "extras"
        label = _label(field_name, index)
        if isinstance(choice, ReferenceImage):
            if choice.team_id != team.pk:
                raise LibraryError(f"{label}: choose an image of this team's library.",
                                   field_name)
            prepared.append(choice)
            continue
        try:
            prepared.append(prepare_image(read_image_upload(choice), choice.name))
        except MediaRefused as refused:
            raise LibraryError(f"{label} ({display_name(choice.name)}): {refused}",
                               field_name) from None
    seen = set()
    for item in prepared:
        key = item.sha256  # both kinds have it: the same picture twice is caught either way
        if key in seen:
            raise LibraryError("Images: the same image is chosen twice; pick different angles.",
                               "extras")
        seen.add(key)
    return prepared


@dataclass
class _Clip:
    info: VideoInfo
    path: str
    poster: bytes
    trimmed_from: float | None = None


def _prepare_clip(upload, workdir: str) -> _Clip:
    try:
        _check_video_size(upload)
        with _local_path(upload) as path:
            info = check_video(path, max_seconds=None)
            trimmed_from = None
            ext = "mov" if info.container == "MOV" else "mp4"
            target = os.path.join(workdir, f"clip.{ext}")
            if info.seconds > limits.ELEMENT_CLIP_SECONDS + limits.SECONDS_SLACK:
                trim_video(path, target, limits.ELEMENT_CLIP_SECONDS)
                trimmed_from, info = info.seconds, probe_video(target)
            else:
                with open(path, "rb") as src, open(target, "wb") as dst:
                    for block in iter(lambda: src.read(1024 * 1024), b""):
                        dst.write(block)
            return _Clip(info, target, poster_jpeg(target), trimmed_from)
    except MediaRefused as refused:
        raise LibraryError(f"Clip ({display_name(upload.name, 'video')}): {refused}",
                           "clip") from None


def _refuse_voice_by_tag(tag: str, voice, *, kept_clip: bool) -> None:
    voice_id, voice_path, _ = voice
    problem = limits.voice_tag_problem(tag, bool(voice_id or voice_path or kept_clip))
    if problem:
        raise LibraryError(problem, "voice")


def _prepare_voice(data: ElementInput, workdir: str) -> tuple[str, str | None, float | None]:
    voice_id = (data.voice_id or "").strip()
    if voice_id and data.voice_clip is not None:
        raise LibraryError("Voice: give a voice id or a clip to clone from, not both.", "voice")
    if len(voice_id) > limits.VOICE_ID_MAX or (
        voice_id and not all(c.isalnum() or c in "-_.:" for c in voice_id)
    ):
        raise LibraryError(
            f"Voice id: letters, digits and - _ . : only, at most {limits.VOICE_ID_MAX} "
            "characters.", "voice_id",
        )
    if data.voice_clip is None:
        return voice_id, None, None
    upload = data.voice_clip
    problem = limits.size_problem(upload.size or 0, limits.VOICE_MAX_BYTES)
    label = f"Voice clip ({display_name(upload.name, 'voice')})"
    if problem:
        raise LibraryError(f"{label}: {problem}", "voice_clip")
    target = os.path.join(workdir, "voice")
    with open(target, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        seconds = check_voice_clip(target)
    except MediaRefused as refused:
        raise LibraryError(f"{label}: {refused}", "voice_clip") from None
    return "", target, seconds


def _voice_content_type(path: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(12)
    if head[:4] == b"RIFF":
        return "audio/wav"
    if head[:3] == b"ID3" or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"fLaC":
        return "audio/flac"
    return "audio/mp4"


def _write_version(team: Team, element: Element, user, files: _Files, *, number: int,
                   fields: tuple[str, str, str], images, clip: _Clip | None,
                   voice: tuple[str, str | None, float | None],
                   previous: ElementVersion | None, remove_voice_clip: bool) -> ElementVersion:
    name, tag, description = fields
    version = ElementVersion(element=element, number=number, name=name, tag=tag,
                             description=description, created_by=user)
    if element.kind == Element.Kind.VIDEO:
        if clip is not None:
            base = _storage_name(team.pk, "x").rsplit(".", 1)[0]
            ext = clip.path.rsplit(".", 1)[1]
            with open(clip.path, "rb") as fh:
                version.clip = files.save(f"{base}.{ext}", File(fh))
            version.poster = files.save(f"{base}_poster.jpg", ContentFile(clip.poster))
            info = clip.info
            version.clip_container, version.clip_codec = info.container, info.codec
            version.clip_seconds, version.clip_fps = info.seconds, info.fps
            version.clip_width, version.clip_height = info.width, info.height
        elif previous is not None:
            for attr in ("clip", "poster", "clip_container", "clip_codec", "clip_seconds",
                         "clip_fps", "clip_width", "clip_height"):
                setattr(version, attr, getattr(previous, attr))
        voice_id, voice_path, voice_seconds = voice
        version.voice_id = voice_id
        if voice_path:
            with open(voice_path, "rb") as fh:
                version.voice_clip = files.save(_storage_name(team.pk, "voice"), File(fh))
            version.voice_clip_type = _voice_content_type(voice_path)
            version.voice_seconds = voice_seconds
        elif previous is not None and previous.voice_clip and not remove_voice_clip \
                and not voice_id:
            version.voice_clip = previous.voice_clip
            version.voice_clip_type = previous.voice_clip_type
            version.voice_seconds = previous.voice_seconds
    version.save()
    for position, item in enumerate(images or []):
        if isinstance(item, PreparedImage):
            item = store_prepared_image(team, user, item, files).item
        ElementImage.objects.create(version=version, image=item, position=position)
    element.current_version = version
    element.save(update_fields=["current_version"])
    return version


def create_element(team: Team, user, kind: str, data: ElementInput) -> Element:
    """A new image or video element with its first version (docs/rules.md §15), or LibraryError."""
    if kind not in Element.Kind.values:
        raise LibraryError("Kind: image or video element.", "kind")
    fields = _clean_fields(data)
    with tempfile.TemporaryDirectory(prefix="element-") as workdir:
        images, clip, voice = None, None, ("", None, None)
        if kind == Element.Kind.IMAGE:
            images = _prepare_images(team, data)
        else:
            if data.clip is None:
                raise LibraryError("Clip: upload an MP4 or MOV clip.", "clip")
            clip = _prepare_clip(data.clip, workdir)
            voice = _prepare_voice(data, workdir)
            _refuse_voice_by_tag(fields[1], voice, kept_clip=False)
        with _writing() as files:
            element = Element.objects.create(team=team, kind=kind, created_by=user)
            _write_version(team, element, user, files, number=1, fields=fields, images=images,
                           clip=clip, voice=voice, previous=None, remove_voice_clip=False)
    return element


def _same_as(version: ElementVersion, fields, images, clip, voice, remove_voice_clip) -> bool:
    if (version.name, version.tag, version.description) != fields or clip is not None:
        return False
    if images is not None:
        if any(isinstance(i, PreparedImage) for i in images):
            return False
        if [i.pk for i in images] != [i.image_id for i in version.ordered_images()]:
            return False
    voice_id, voice_path, _ = voice
    if voice_path or voice_id != version.voice_id:
        return False
    return not (remove_voice_clip and version.voice_clip)


def edit_element(element: Element, user, data: ElementInput) -> tuple[ElementVersion, bool]:
    """Add a version with the new state; the previous versions stay as they were. Returns the
    current version and whether a new one was made (False when nothing changed)."""
    previous = element.current_version
    fields = _clean_fields(data)
    with tempfile.TemporaryDirectory(prefix="element-") as workdir:
        images, clip, voice = None, None, ("", None, None)
        if element.kind == Element.Kind.IMAGE:
            images = _prepare_images(element.team, data)
        else:
            if data.clip is not None:
                clip = _prepare_clip(data.clip, workdir)
            voice = _prepare_voice(data, workdir)
            _refuse_voice_by_tag(fields[1], voice, kept_clip=bool(
                previous.voice_clip and not data.remove_voice_clip))
        if _same_as(previous, fields, images, clip, voice, data.remove_voice_clip):
            return previous, False
        with _writing() as files:
            # Lock the element row so two simultaneous edits get distinct version numbers.
            locked = Element.objects.select_for_update().get(pk=element.pk)
            number = (locked.versions.order_by("-number").values_list("number", flat=True)
                      .first() or 0) + 1
            version = _write_version(element.team, element, user, files, number=number,
                                     fields=fields, images=images, clip=clip, voice=voice,
                                     previous=previous,
                                     remove_voice_clip=data.remove_voice_clip)
    return version, True


def delete_element(element: Element) -> None:
    """Delete an element and all its versions, refused while anything uses it."""
    names = sorted({n for v in element.versions.all() for n in v.storage_names()})
    _delete_refused_if_used("element", element, "element_version__element", names)


def lock_version(version: ElementVersion) -> None:
    """For the jobs app: a job uses this version; from now on it can never be deleted."""
    version.lock()


# --- sharing ---------------------------------------------------------------------------------


def share_library(from_team: Team, to_team: Team, user) -> LibraryShare:
    """Let `to_team` use `from_team`'s elements read-only. The views only offer teams the
    sharing owner belongs to, so no list of the server's teams is ever shown."""
    if from_team.pk == to_team.pk:
        raise LibraryError("A team's library is already its own: choose another team.")
    if not to_team.memberships.filter(user=user).exists():
        raise LibraryError("You can share only with a team you are a member of.")
    with transaction.atomic():
        existing = LibraryShare.objects.active().filter(from_team=from_team,
                                                        to_team=to_team).first()
        if existing:
            return existing
        return LibraryShare.objects.create(from_team=from_team, to_team=to_team,
                                           created_by=user)


def revoke_share(share: LibraryShare, user) -> LibraryShare:
    """Stop sharing at once; the row stays as history. The other team's storyboards keep the
    elements in their slots, where the check now refuses them, and its jobs not yet sent fail
    (the ones already sent finish: the provider has the pictures)."""
    from storyboard.jobs.actions import fail_jobs_using_unshared  # jobs build on the library

    with transaction.atomic():
        share = LibraryShare.objects.select_for_update().get(pk=share.pk)
        if share.revoked_at is None:
            share.revoked_at = timezone.now()
            share.revoked_by = user
            share.save(update_fields=["revoked_at", "revoked_by"])
            fail_jobs_using_unshared(share.from_team, share.to_team)
    return share
