"""Every write of the sequences app, each one atomic: a refused change leaves nothing behind.

A sequence's entries are numbered 1, 2, 3 … without gaps. Positions are rewritten in two steps
(first out of the way, past OFFSET, then into place), so the unique (sequence, position)
constraint holds after every row on PostgreSQL without being deferrable. Every change of the
entries or of a pinned take bumps the sequence's version (exports compare it)."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import av
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from storyboard.boards.models import TITLE_MAX, Storyboard
from storyboard.boards.state import EditorState, SlotState, state_from_board
from storyboard.boards.writing import create_board
from storyboard.jobs.models import Clip, State
from storyboard.library import limits
from storyboard.library.actions import store_prepared_image
from storyboard.library.images import MediaRefused, prepare_image
from storyboard.library.models import ReferenceImage, ReferenceVideo
from storyboard.library.videos import check_video, poster_jpeg
from storyboard.sequences.models import TITLE_MAX as SEQUENCE_TITLE_MAX
from storyboard.sequences.models import Sequence, SequenceEntry
from storyboard.storage import local_path

OFFSET = 1_000_000  # far past any real position: the first step of a rewrite parks rows here


class SequenceRefused(Exception):
    """A refused change; the message says why, naming the field (`field`) when there is one."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# --- sequences -------------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise SequenceRefused("Title: give the sequence a title.", "title")
    if len(title) > SEQUENCE_TITLE_MAX:
        raise SequenceRefused(f"Title: at most {SEQUENCE_TITLE_MAX} characters (this one has "
                              f"{len(title)}).", "title")
    return title


def _taken(team, title: str, exclude: int | None = None) -> SequenceRefused | None:
    others = Sequence.objects.filter(team=team, title=title)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        return SequenceRefused(f"Title: the team already has a sequence called “{title}”.",
                               "title")
    return None


def create_sequence(team, user, title: str) -> Sequence:
    title = _clean_title(title)
    if (refused := _taken(team, title)) is not None:
        raise refused
    try:
        with transaction.atomic():
            return Sequence.objects.create(team=team, title=title, created_by=user)
    except IntegrityError:  # the same title made at the same moment
        raise _taken(team, title) or SequenceRefused("Title: already taken.", "title") from None


def get_or_create_sequence(team, user, title: str) -> tuple[Sequence, bool]:
    """The team's sequence called `title` (created when missing): for omni_batch --sequence."""
    title = _clean_title(title)
    found = Sequence.objects.filter(team=team, title=title).first()
    if found is not None:
        return found, False
    try:
        return create_sequence(team, user, title), True
    except SequenceRefused:
        return Sequence.objects.get(team=team, title=title), False


def rename_sequence(sequence: Sequence, title: str) -> Sequence:
    title = _clean_title(title)
    if title == sequence.title:
        return sequence
    if (refused := _taken(sequence.team_id, title, exclude=sequence.pk)) is not None:
        raise refused
    try:
        with transaction.atomic():
            Sequence.objects.filter(pk=sequence.pk).update(title=title,
                                                           updated_at=timezone.now())
    except IntegrityError:
        raise _taken(sequence.team_id, title) or SequenceRefused("Title: already taken.",
                                                                  "title") from None
    sequence.title = title
    return sequence


def delete_sequence(sequence: Sequence) -> None:
    """The sequence and its entries; its storyboards and clips stay."""
    sequence.delete()


# --- entries ---------------------------------------------------------------------------------


def _locked(sequence: Sequence) -> Sequence:
    """The sequence row locked for this transaction: changes of one sequence's entries queue
    behind each other, so positions are never handed out twice."""
    return Sequence.objects.select_for_update().get(pk=sequence.pk)


def _changed(sequence: Sequence) -> None:
    Sequence.objects.filter(pk=sequence.pk).update(version=F("version") + 1,
                                                   updated_at=timezone.now())
    sequence.refresh_from_db(fields=["version", "updated_at"])


def _write_order(sequence: Sequence, entry_ids: list[int]) -> None:
    """Number the entries 1, 2, 3 … in the order of `entry_ids` (every entry of the sequence)."""
    SequenceEntry.objects.filter(sequence=sequence).update(position=F("position") + OFFSET)
    rows = [SequenceEntry(pk=pk, position=n) for n, pk in enumerate(entry_ids, start=1)]
    SequenceEntry.objects.bulk_update(rows, ["position"])


def _order(sequence: Sequence) -> list[int]:
    return list(SequenceEntry.objects.filter(sequence=sequence).order_by("position")
                .values_list("pk", flat=True))


def _refuse_if_elsewhere(board: Storyboard, sequence: Sequence) -> None:
    entry = (SequenceEntry.objects.filter(storyboard=board).select_related("sequence")
             .first())
    if entry is None:
        return
    if entry.sequence_id == sequence.pk:
        raise SequenceRefused(f"Storyboard: “{board.title}” is already in this sequence.",
                              "storyboard")
    raise SequenceRefused(f"Storyboard: “{board.title}” is already in the sequence "
                          f"“{entry.sequence.title}”; remove it there first (a storyboard is "
                          f"in one sequence at a time).", "storyboard")


def add_storyboard(sequence: Sequence, board: Storyboard, *,
                   after: SequenceEntry | None = None) -> SequenceEntry:
    """`board` at the end of the sequence (or right after `after`). Refused when the board is
    another team's or already in a sequence (naming that sequence)."""
    if board.team_id != sequence.team_id:
        raise SequenceRefused("Storyboard: not one of this team's storyboards.", "storyboard")
    _refuse_if_elsewhere(board, sequence)
    try:
        with transaction.atomic():
            sequence = _locked(sequence)
            last = (SequenceEntry.objects.filter(sequence=sequence)
                    .aggregate(m=Max("position"))["m"] or 0)
            entry = SequenceEntry.objects.create(sequence=sequence, storyboard=board,
                                                 position=last + 1)
            if after is not None:
                order = [pk for pk in _order(sequence) if pk != entry.pk]
                order.insert(order.index(after.pk) + 1, entry.pk)
                _write_order(sequence, order)
                entry.refresh_from_db(fields=["position"])
            _changed(sequence)
            return entry
    except IntegrityError:  # added elsewhere at the same moment
        _refuse_if_elsewhere(board, sequence)
        raise


def remove_entry(entry: SequenceEntry) -> None:
    """The storyboard leaves the sequence (the storyboard itself stays)."""
    with transaction.atomic():
        sequence = _locked(entry.sequence)
        SequenceEntry.objects.filter(pk=entry.pk).delete()
        _write_order(sequence, _order(sequence))
        _changed(sequence)


def reorder(sequence: Sequence, storyboard_ids: list[int]) -> None:
    """Put the entries in the order of `storyboard_ids`, which must name every storyboard of
    the sequence exactly once."""
    with transaction.atomic():
        sequence = _locked(sequence)
        by_board = dict(SequenceEntry.objects.filter(sequence=sequence)
                        .values_list("storyboard_id", "pk"))
        if len(storyboard_ids) != len(set(storyboard_ids)) or set(storyboard_ids) != set(
                by_board):
            raise SequenceRefused(
                f"Order: name each of the sequence's {len(by_board)} storyboards exactly once "
                f"(got {len(storyboard_ids)} ids); reload the page and try again.", "order")
        order = [by_board[pk] for pk in storyboard_ids]
        if order != _order(sequence):
            _write_order(sequence, order)
            _changed(sequence)


def move(entry: SequenceEntry, by: int) -> None:
    """One place earlier (by=-1) or later (by=1): the keyboard's way to reorder."""
    with transaction.atomic():
        sequence = _locked(entry.sequence)
        order = _order(sequence)
        at = order.index(entry.pk)
        to = at + by
        if not 0 <= to < len(order):
            return
        order[at], order[to] = order[to], order[at]
        _write_order(sequence, order)
        _changed(sequence)


def _takes_of(entry: SequenceEntry):
    return Clip.objects.filter(team_id=entry.sequence.team_id, job__state=State.SUCCEEDED,
                               job__storyboard_id=entry.storyboard_id)


def pin_take(entry: SequenceEntry, clip_id: int | None) -> None:
    """Play this take of the storyboard in the sequence (None: back to the approved or newest
    one). The clip must be a finished take of that storyboard in the same team."""
    if clip_id is not None and not _takes_of(entry).filter(pk=clip_id).exists():
        raise SequenceRefused("Take: not a finished take of this storyboard.", "clip")
    with transaction.atomic():
        sequence = _locked(entry.sequence)
        SequenceEntry.objects.filter(pk=entry.pk).update(pinned_clip_id=clip_id)
        entry.pinned_clip_id = clip_id
        _changed(sequence)


# --- continuity ------------------------------------------------------------------------------


def last_frame_png(path: str, seconds: float) -> bytes:
    """The clip's last decodable frame as a PNG (lossless: it becomes the next first frame).
    Seeks near the end and decodes to it; decodes the whole clip when the seek finds
    nothing."""
    try:
        with av.open(path, "r") as container:
            stream = container.streams.video[0]
            last = None
            if seconds > 1.5 and stream.time_base:
                container.seek(int((seconds - 1.5) / stream.time_base), stream=stream,
                               backward=True)
                for frame in container.decode(stream):
                    last = frame
            if last is None:
                container.seek(0)
                for frame in container.decode(stream):
                    last = frame
    except (av.FFmpegError, ValueError, OSError, IndexError):
        last = None
    if last is None:
        raise SequenceRefused("Clip: its video file has no frame that can be decoded.", "clip")
    out = io.BytesIO()
    last.to_image().convert("RGB").save(out, "PNG", compress_level=3)
    return out.getvalue()


def _source_board(clip: Clip) -> Storyboard | None:
    board = clip.job.storyboard
    if board is None or board.team_id != clip.team_id:
        return None
    return board


def _follow_up_title(base: str, what: str) -> str:
    room = TITLE_MAX - len(what) - 3
    return f"{base if len(base) <= room else base[: room - 1] + '…'} ({what})"


def _follow_up_state(clip: Clip, title: str, slot: SlotState) -> EditorState:
    """A new storyboard with the target, model and frame of the clip's storyboard (or of the
    clip's job when the storyboard is gone), its elements (the characters carry over), two
    empty 3 s shots, and `slot`."""
    board = _source_board(clip)
    if board is not None:
        base = state_from_board(board)
        elements = tuple(s for s in base.slots if s.kind == "element")
        return EditorState(version=1, title=title, account_id=base.account_id,
                           model=base.model, mode=base.mode, aspect_ratio=base.aspect_ratio,
                           audio=base.audio, shots=(("", "3"), ("", "3")),
                           slots=(*elements, slot))
    snapshot = clip.job.snapshot or {}
    return EditorState(version=1, title=title, account_id=clip.job.account_id,
                       model=clip.job.model if clip.job.model in ("v3", "o1") else "v3",
                       mode=snapshot.get("mode", "std"),
                       aspect_ratio=snapshot.get("aspect_ratio", "16:9"),
                       shots=(("", "3"), ("", "3")), slots=(slot,))


def _unique_sequence_title(team, base: str) -> str:
    base = base[:SEQUENCE_TITLE_MAX - 4]
    taken = set(Sequence.objects.filter(team=team, title__startswith=base)
                .values_list("title", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


def _place_after(clip: Clip, new_board: Storyboard, user) -> SequenceEntry | None:
    """The new storyboard right after the clip's storyboard in its sequence. When that
    storyboard is in none, a sequence named after it is made holding the two, so the
    continuation plays on from the clip in the reel at once. None when the clip's storyboard
    is gone."""
    board = _source_board(clip)
    if board is None:
        return None
    entry = SequenceEntry.objects.filter(storyboard=board).select_related("sequence").first()
    if entry is None:
        sequence = Sequence.objects.create(
            team_id=clip.team_id, title=_unique_sequence_title(clip.team, board.title),
            created_by=user)
        entry = add_storyboard(sequence, board)
    return add_storyboard(entry.sequence, new_board, after=entry)


def continue_from_last_frame(clip: Clip, user) -> Storyboard:
    """A new storyboard whose first frame (@image_1) is the clip's last frame, stored as a
    library image, placed right after the clip's storyboard in its sequence."""
    path = str(local_path(clip.file))
    if not Path(path).exists():
        raise SequenceRefused("Clip: its video file is missing from storage.", "clip")
    data = last_frame_png(path, clip.seconds)
    title = clip.job.storyboard.title if _source_board(clip) else clip.job.title
    try:
        prepared = prepare_image(data, f"Last frame of {title}.png")
    except MediaRefused as error:
        raise SequenceRefused(f"Clip: its last frame cannot be used as an image ({error}).",
                              "clip") from None
    with transaction.atomic():
        image: ReferenceImage = store_prepared_image(clip.team, user, prepared).item
        state = _follow_up_state(clip, _follow_up_title(title, "continued"),
                                 SlotState("image_1", image.pk, role="first_frame"))
        board = create_board(clip.team, user, state, {"image_1": image},
                             parent=None, drop_unavailable=True)
        _place_after(clip, board, user)
    return board


def clip_as_reference_video(clip: Clip, user) -> ReferenceVideo:
    """The clip's video in the team's library (once: the same file is found again by its
    hash), held to the reference video limits (3–10 s, 720–2160 px, 24–60 fps)."""
    existing = ReferenceVideo.objects.filter(team_id=clip.team_id, sha256=clip.sha256).first()
    if existing is not None:
        return existing
    path = str(local_path(clip.file))
    if not Path(path).exists():
        raise SequenceRefused("Clip: its video file is missing from storage.", "clip")
    try:
        info = check_video(path, max_seconds=limits.REFERENCE_VIDEO_MAX_SECONDS)
        poster = poster_jpeg(path)
    except MediaRefused as error:
        raise SequenceRefused(f"Clip: it cannot be a reference video: the {error}.",
                              "clip") from None
    base = f"library/{clip.team_id}/{secrets.token_hex(16)}"
    saved: list[str] = []
    try:
        with transaction.atomic():
            with open(path, "rb") as fh:
                saved.append(default_storage.save(f"{base}.mp4", File(fh)))
            saved.append(default_storage.save(f"{base}_poster.jpg", ContentFile(poster)))
            title = clip.job.title or "clip"
            return ReferenceVideo.objects.create(
                team_id=clip.team_id, name=f"Take of {title}"[:limits.DISPLAY_NAME_MAX],
                container=info.container, codec=info.codec, seconds=info.seconds,
                width=info.width, height=info.height, fps=info.fps, file=saved[0],
                poster=saved[1], byte_size=Path(path).stat().st_size, sha256=clip.sha256,
                uploaded_by=user)
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise


def next_shot_from_clip(clip: Clip, user) -> Storyboard:
    """A new storyboard with the clip as its @video_1 feature reference (extend a video by
    video reference), placed after the clip's storyboard like continue_from_last_frame. The
    editor's checks say which targets take a reference video."""
    title = clip.job.storyboard.title if _source_board(clip) else clip.job.title
    with transaction.atomic():
        video = clip_as_reference_video(clip, user)
        state = _follow_up_state(clip, _follow_up_title(title, "next shot"),
                                 SlotState("video_1", video.pk, refer_type="feature"))
        board = create_board(clip.team, user, state, {"video_1": video},
                             drop_unavailable=True)
        _place_after(clip, board, user)
    return board
