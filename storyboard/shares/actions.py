"""Writes of share links: make one, revoke it, note that it was opened, and a guest's name.
Comments and decisions of guests go through storyboard/review/actions.py like members'."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from storyboard.audit import actions as audit
from storyboard.boards.models import Storyboard
from storyboard.gallery.queries import family_ids
from storyboard.jobs.models import Clip, State
from storyboard.sequences.models import Sequence
from storyboard.sequences.takes import chosen_takes
from storyboard.shares.models import EXPIRY_DAYS, GUEST_NAME_MAX, Guest, ShareLink
from storyboard.shares.signing import new_token
from storyboard.teams.models import hash_token

# last_opened_at is written at most this often: not a write on every page and video range.
OPENED_PRECISION = timedelta(minutes=1)


class ShareRefused(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@transaction.atomic
def _create(user, days: int, password: str, guests_may_decide: bool,
            **shared) -> tuple[ShareLink, str]:
    if days not in EXPIRY_DAYS:
        raise ShareRefused(f"Expires: choose one of {', '.join(map(str, EXPIRY_DAYS))} days.",
                           "days")
    token = new_token()
    share = ShareLink.objects.create(
        created_by=user, token_hash=hash_token(token),
        password_hash=make_password(password) if password else "",
        guests_may_decide=guests_may_decide, expires_at=timezone.now() + timedelta(days=days),
        **shared)
    audit.record(audit.Kind.SHARE_CREATED, team=share.team_id, target=share,
                 target_text=share.title,
                 details={"expires_at": share.expires_at, "protected": bool(password),
                          "guests_may_decide": guests_may_decide})
    return share, token


def create_share(clip: Clip, user, days: int, password: str = "",
                 guests_may_decide: bool = False) -> tuple[ShareLink, str]:
    """The new link of one clip and its token (shown once: only its hash is kept)."""
    if clip.job.state != State.SUCCEEDED:
        raise ShareRefused("Only clips of finished jobs can be shared.")
    return _create(user, days, password, guests_may_decide, team_id=clip.team_id, clip=clip)


def create_takes_share(board: Storyboard, user, days: int, password: str = "",
                       guests_may_decide: bool = False) -> tuple[ShareLink, str]:
    """A link to the takes of `board` (and of its revisions): guests choose among them. Takes
    made after the link (a retake's revision, say) join it."""
    share = ShareLink(team_id=board.team_id, storyboard=board)
    if not takes_of(share).exists():
        raise ShareRefused(f"“{board.title}” has no finished take yet: share it once a take "
                           "is made.")
    return _create(user, days, password, guests_may_decide, team_id=board.team_id,
                   storyboard=board)


def create_reel_share(sequence: Sequence, user, days: int, password: str = "",
                      guests_may_decide: bool = False) -> tuple[ShareLink, str]:
    """A link to the reel of `sequence`: the take each storyboard plays, as the sequence's page
    chooses it at each request (a take pinned or approved later replaces the one before)."""
    if not any(take for _, take in chosen_takes(sequence)):
        raise ShareRefused(f"No storyboard of “{sequence.title}” has a finished take yet: share "
                           "the reel once one has.")
    return _create(user, days, password, guests_may_decide, team_id=sequence.team_id,
                   sequence=sequence)


def reel_of(share: ShareLink) -> list[tuple[object, Clip]]:
    """(entry, take) of a reel's link in the order they play, storyboards without a take left
    out (the guest sees takes only, never an animatic)."""
    if share.sequence_id is None or share.sequence.team_id != share.team_id:
        return []
    return [(entry, take) for entry, take in chosen_takes(share.sequence) if take is not None]


def takes_of(share: ShareLink):
    """The clips a guest of `share` may see, newest first: its clip, the finished takes of its
    storyboard's family (the Takes page's) or the takes its sequence's reel plays, in the
    link's team only."""
    clips = (Clip.objects.filter(team_id=share.team_id, job__state=State.SUCCEEDED)
             .select_related("job").order_by("-created_at", "-id"))
    if share.sequence_id is not None:
        return clips.filter(pk__in=[take.pk for _, take in reel_of(share)])
    if not share.shares_takes:
        return clips.filter(pk=share.clip_id)
    return clips.filter(job__storyboard_id__in=family_ids(share.storyboard_id, share.team_id))


def take_of(share: ShareLink, clip_id) -> Clip | None:
    """The clip `clip_id` if `share` shows it, else None (another clip, team or storyboard)."""
    if not isinstance(clip_id, int) or isinstance(clip_id, bool):
        return None
    return takes_of(share).filter(pk=clip_id).first()


def find_share(token: str) -> ShareLink | None:
    """The link of `token`, revoked and expired ones included (the views tell them apart)."""
    if not token or len(token) > 100:
        return None
    return (ShareLink.objects.select_related("clip", "clip__job", "storyboard", "sequence",
                                             "team", "created_by")
            .filter(token_hash=hash_token(token)).first())


@transaction.atomic
def revoke_share(share: ShareLink) -> None:
    if ShareLink.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()):
        audit.record(audit.Kind.SHARE_REVOKED, team=share.team_id, target=share,
                     target_text=share.title)


def password_matches(share: ShareLink, password: str) -> bool:
    return bool(share.password_hash) and check_password(password or "", share.password_hash)


def note_opened(share: ShareLink) -> None:
    now = timezone.now()
    if share.last_opened_at is None or now - share.last_opened_at >= OPENED_PRECISION:
        ShareLink.objects.filter(pk=share.pk).update(last_opened_at=now)


def clean_guest_name(name: str) -> str:
    name = " ".join((name or "").replace("\x00", "").split())
    if not name:
        raise ShareRefused("Your name: write the name the team will see beside your comments.",
                           "name")
    if len(name) > GUEST_NAME_MAX:
        raise ShareRefused(f"Your name: at most {GUEST_NAME_MAX} characters (this one has "
                           f"{len(name)}).", "name")
    return name


def add_guest(share: ShareLink, name: str) -> str:
    name = clean_guest_name(name)
    try:
        with transaction.atomic():
            Guest.objects.get_or_create(share=share, name=name)
    except IntegrityError:  # the same name entered twice at once
        pass
    return name
