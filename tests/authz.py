"""Walks every URL pattern of the project, for the authorization tests.

A new view is covered the moment its URL is added: the walk fails until the view states who may
use it (`team_permission`), every URL parameter has a way to point at one of team A's objects
(PARAMS below), and every POST a team view accepts has sample data (POST_DATA below).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from storyboard.teams.actions import create_invitation


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "teams:change_role"
    params: tuple[str, ...]
    callback: Callable

    @property
    def permission(self):
        return getattr(self.callback, "team_permission", "missing")

    @property
    def login_required(self) -> bool:
        return getattr(self.callback, "login_required", True)


def iter_routes(patterns=None, namespace: str = "") -> Iterator[Route]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns == "api" and not namespace:
                continue  # token auth, not sessions: walked with tokens in tests/api/test_walk.py
            if ns == "admin" and not namespace:
                continue  # superusers only, not team roles: tests/operators/test_admin.py
            yield from iter_routes(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                raise AssertionError(f"URL pattern {entry.pattern} has no name")
            params = tuple(entry.pattern.converters)
            yield Route(f"{namespace}{entry.name}", params, entry.callback)


# How to fill each URL parameter with an object of team A, and whether the parameter points
# into a team (so that an outsider must get 404). Add a line here for each new parameter.
@dataclass(frozen=True)
class Param:
    make: Callable  # (cast) -> value
    team_scoped: bool = True


def _account(cast):
    from storyboard.teams.accounts import AccountInput, add_account

    # A sandbox account on a closed loopback port: "Test connection" fails fast, offline.
    return add_account(cast.team_a, AccountInput(
        "kling", f"Walk {cast.team_a.provider_accounts.count()}",
        {"access_key": "ak", "secret_key": "sk"}, base_url="http://127.0.0.1:9",
        sandbox=True)).pk


def _board(cast):
    from storyboard.boards.models import Shot, Storyboard

    board = Storyboard.objects.create(team=cast.team_a, title="Walk", created_by=cast.editor)
    for position in range(2):
        Shot.objects.create(storyboard=board, position=position, prompt="A shot", duration="3")
    return board.pk


def _preview(cast):
    from storyboard.boards.models import Preview

    return Preview.objects.create(storyboard_id=_board(cast), key="walk",
                                  file="previews/none.mp4", seconds=6, width=1280,
                                  height=720).pk


def _board_form(cast):
    """The editor form of a board made by `_board` (version 1), with a change."""
    return {"version": "1", "title": "Walk, renamed", "target": "animatic/v3", "mode": "std",
            "aspect_ratio": "16:9", "count": "1", "multi_shot": "1", "shown_multi_shot": "1",
            "shot_prompt": ["A shot", "Another shot"], "shot_duration": ["3", "3"]}


def _signed(cast):
    from storyboard.boards.public_media import signed_path

    return signed_path("nothing/there.jpg").rstrip("/").rsplit("/", 1)[1]


def _job(cast, state="failed"):
    from storyboard.jobs.models import Job

    return Job.objects.create(
        team=cast.team_a, storyboard_id=_board(cast), created_by=cast.editor, dialect="animatic",
        model="v3", title="Walk job", submit_key=f"walk-{Job.objects.count()}", state=state,
        snapshot={"title": "Walk job", "multi_shot": True, "target": {"dialect": "animatic",
                  "model": "v3"}, "shots": [{"prompt": "A", "duration": 3},
                                              {"prompt": "B", "duration": 3}]},
        planned_seconds=6).pk


def _clip(cast):
    from storyboard.jobs.models import Clip

    return Clip.objects.create(job_id=_job(cast, "succeeded"), team=cast.team_a,
                               file="clips/none.mp4", poster="clips/none.jpg", width=1280,
                               height=720, seconds=6, byte_size=1, sha256="0" * 64).pk


def _sequence(cast):
    """A sequence of team A with two storyboards, the second with a finished take."""
    from storyboard.boards.models import Storyboard
    from storyboard.jobs.models import Clip, Job
    from storyboard.sequences.models import Sequence, SequenceEntry

    sequence = Sequence.objects.create(team=cast.team_a,
                                       title=f"Walk {Sequence.objects.count()}")
    for position in (1, 2):
        SequenceEntry.objects.create(sequence=sequence, position=position,
                                     storyboard=Storyboard.objects.get(pk=_board(cast)))
    job = Job.objects.get(pk=_job(cast, "succeeded"))
    job.storyboard = sequence.entries.get(position=2).storyboard
    job.save()
    Clip.objects.create(job=job, team=cast.team_a, file="clips/none.mp4",
                        poster="clips/none.jpg", width=1280, height=720, seconds=6,
                        byte_size=1, sha256="0" * 64)
    return sequence


def _clip_with_video(cast):
    """A take whose file is a real 3 s video (the continuity actions decode it)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from storyboard.jobs.models import Clip

    data = _media().video_bytes(width=1280, height=720, seconds=3.0)
    name = default_storage.save("clips/walk.mp4", ContentFile(data))
    return Clip.objects.create(job_id=_job(cast, "succeeded"), team=cast.team_a, file=name,
                               poster="clips/none.jpg", width=1280, height=720, seconds=3,
                               byte_size=len(data),
                               sha256=hashlib.sha256(data).hexdigest()).pk


def _latest_sequence():
    from storyboard.sequences.models import Sequence

    return Sequence.objects.latest("pk")


PARAMS: dict[str, Param] = {
    "sequence_id": Param(lambda cast: _sequence(cast).pk),
    "entry_id": Param(lambda cast: _sequence(cast).entries.get(position=2).pk),
    "job_id": Param(_job),
    "clip_id": Param(_clip),
    # The per-job callback secret: the view itself must refuse a wrong one.
    "secret": Param(lambda cast: "not-the-secret", team_scoped=False),
    "board_id": Param(_board),
    "preview_id": Param(_preview),
    # Signed media links are for vendors, outside any team: not scoped.
    "signed": Param(_signed, team_scoped=False),
    "account_id": Param(_account),
    "member_id": Param(lambda cast: cast.member(cast.editor).pk),
    "invitation_id": Param(
        lambda cast: create_invitation(cast.team_a, cast.owner, "editor")[0].pk
    ),
    # An invitation link is meant for people outside the team: not scoped.
    "token": Param(lambda cast: create_invitation(cast.team_a, cast.owner, "viewer")[1],
                   team_scoped=False),
    # Library (storyboard/library): media are made through the real upload actions.
    "image_id": Param(lambda cast: _media().make_image(cast.team_a).pk),
    "video_id": Param(lambda cast: _media().make_video(cast.team_a).pk),
    "element_id": Param(lambda cast: _media().make_image_element(cast.team_a).pk),
    "version_id": Param(
        lambda cast: _media().make_video_element(cast.team_a).current_version_id),
    "variant": Param(lambda cast: "file", team_scoped=False),  # every media view serves "file"
    "share_id": Param(lambda cast: _media().share(cast.team_a, cast.team_b).pk),
    "webhook_id": Param(lambda cast: _webhook(cast).pk),
    "delivery_id": Param(lambda cast: _delivery(cast).pk),
    "token_id": Param(lambda cast: _api_token(cast).pk),
    # A share link's token is meant for people outside the team: not scoped; its guest pages
    # are walked with a guest of another link in tests/shares/test_guest_walk.py.
    "share_token": Param(lambda cast: _share_link(cast)[1], team_scoped=False),
    "link_id": Param(lambda cast: _share_link(cast)[0].pk),
    # A team the owner also belongs to (sharing is offered only towards such teams).
    "target_team_id": Param(lambda cast: _media().join(cast.owner, cast.team_b).pk,
                            team_scoped=False),
}


def _media():
    from library import media_factory

    return media_factory


def _webhook(cast):
    from storyboard.webhooks.actions import add_webhook

    return add_webhook(cast.team_a, "https://hooks.example.com/walk", ["clip.ready"])[0]


def _delivery(cast):
    from storyboard.webhooks.actions import send_test_event
    from storyboard.webhooks.models import Delivery

    delivery = send_test_event(_webhook(cast))
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=6,
                                                   next_attempt_at=None)
    return delivery


def _clip_row(cast):
    from storyboard.jobs.models import Clip

    return Clip.objects.select_related("job").get(pk=_clip(cast))


def _share_link(cast):
    from storyboard.jobs.models import Clip
    from storyboard.shares.actions import create_share

    return create_share(Clip.objects.get(pk=_clip(cast)), cast.editor, 14)


def _api_token(cast):
    from storyboard.api.actions import create_token

    return create_token(cast.member(cast.editor), f"walk {cast.team_a.api_tokens.count()}")[0]


# A POST that would succeed for someone allowed to make it, per URL name. The walk checks that
# it changes something when an allowed member sends it, so the "nothing changed" checks for
# members without permission are not vacuous.
POST_DATA: dict[str, Callable] = {
    "jobs:submit": lambda cast: {"submit_key": f"walk-submit-{cast.team_a.jobs.count()}"},
    "jobs:cancel": lambda cast: {},
    "jobs:retry": lambda cast: {},
    "jobs:remix": lambda cast: {},
    "review:comment": lambda cast: {"seconds": "4.2", "text": "The pan starts late"},
    "review:approve": lambda cast: {},
    "review:retake": lambda cast: {"note": "Slower pan in shot 2"},
    "boards:create": lambda cast: {"title": "Made in the walk"},
    "boards:save": _board_form,
    "boards:preview": _board_form,
    "boards:duplicate": lambda cast: {},
    "boards:delete": lambda cast: {},
    "boards:import": lambda cast: {"text": '{"title": "Imported in the walk", "prompt": "A"}'},
    "boards:rates": lambda cast: {"unit": "USD", "kling:v3:std": "0.1"},
    "teams:account_new": lambda cast: {"dialect": "apimart", "label": "New one",
                                       "api_key": "k", "max_jobs": 3},
    "teams:account_edit": lambda cast: {"dialect": "kling", "label": "Renamed account",
                                        "max_jobs": 4, "sandbox": "on",
                                        "base_url": "http://127.0.0.1:9"},
    "teams:account_test": lambda cast: {},
    "teams:account_remove": lambda cast: {},
    "teams:rename": lambda cast: {"name": "Renamed team"},
    "teams:invite": lambda cast: {"role": "editor", "note": "for the walk"},
    "teams:revoke": lambda cast: {},
    "teams:change_role": lambda cast: {"role": "reviewer"},
    "teams:remove_member": lambda cast: {},
    "library:upload": lambda cast: {"files": _media().upload(_media().png(color=(9, 9, 9)))},
    "library:image_edit": lambda cast: {"name": "Renamed picture", "tag": "prop"},
    "library:image_delete": lambda cast: {},
    "library:video_edit": lambda cast: {"name": "Renamed clip", "tag": "scene"},
    "library:video_delete": lambda cast: {},
    "library:element_new": lambda cast: {
        "kind": "image", "name": "Walker", "tag": "character",
        "frontal_file": _media().upload(_media().png(color=(7, 7, 7)), "walker.png")},
    "library:element_edit": lambda cast: {
        "name": "Mara", "tag": "character",
        "frontal_file": _media().upload(_media().png(color=(8, 8, 8)), "mara2.png")},
    "library:element_delete": lambda cast: {},
    "library:share": lambda cast: {},
    "library:share_revoke": lambda cast: {},
    "webhooks:add": lambda cast: {"url": "https://hooks.example.com/new",
                                  "events": ["clip.ready", "job.failed"]},
    "webhooks:remove": lambda cast: {},
    "webhooks:ping": lambda cast: {},
    "webhooks:resend": lambda cast: {},
    "api_tokens:create": lambda cast: {"name": "made in the walk",
                                       "member": cast.member(cast.viewer).pk},
    "api_tokens:revoke": lambda cast: {},
    "usage:team_cap": lambda cast: {"monthly_cap": "250"},
    "shares:create": lambda cast: {"days": "7", "password": "walk", "guests_may_decide": "on"},
    "shares:create_takes": lambda cast: {"days": "3"},
    "shares:create_reel": lambda cast: {"days": "3"},
    "shares:revoke": lambda cast: {},
    "sequences:create": lambda cast: {"title": "Made in the walk"},
    "sequences:rename": lambda cast: {"title": "Renamed in the walk"},
    "sequences:delete": lambda cast: {},
    "sequences:add": lambda cast: {"storyboard": cast.team_a.storyboards.filter(
        sequence_entry__isnull=True).latest("pk").pk},  # made by _sequence, in none
    "sequences:order": lambda cast: {"order": ",".join(str(pk) for pk in reversed(
        _latest_sequence().entries.values_list("storyboard_id", flat=True)))},
    "sequences:remove": lambda cast: {},
    "sequences:earlier": lambda cast: {},
    "sequences:later": lambda cast: {},
    "sequences:pin": lambda cast: {"clip": _latest_sequence().entries.get(
        position=2).storyboard.jobs.get().clips.get().pk},
    "sequences:continue": lambda cast: {},
    "sequences:next_shot": lambda cast: {},
}

# Views open to signed-out visitors.
PUBLIC = {"login", "healthz", "teams:accept", "boards:public_media", "jobs:callback",
          "jobs:callback_with_suffix",
          # Guests of a share link, without an account (storyboard/shares/guest_views.py).
          "share:page", "share:unlock", "share:name", "share:comment", "share:decide",
          "share:media", "share:take", "share:take_comment", "share:take_decide"}


def post_data(route: Route, cast) -> dict:
    make = POST_DATA.get(route.name)
    return make(cast) if make else {}


# Where a route needs its object in a particular state.
ROUTE_PARAMS: dict[str, dict[str, Callable]] = {
    "jobs:cancel": {"job_id": lambda cast: _job(cast, "queued")},
    "sequences:later": {"entry_id": lambda cast: _sequence(cast).entries.get(position=1).pk},
    "sequences:continue": {"clip_id": _clip_with_video},
    "sequences:next_shot": {"clip_id": _clip_with_video},
    # A storyboard with a finished take: one without is refused (nothing to share).
    "shares:create_takes": {"board_id": lambda cast: _clip_row(cast).job.storyboard_id},
}


def url_for(route: Route, cast) -> str:
    special = ROUTE_PARAMS.get(route.name, {})
    return reverse(route.name, kwargs={
        p: special[p](cast) if p in special else PARAMS[p].make(cast) for p in route.params})


# Tables whose rows change on any request (sessions, login attempts, the queue) are left out.
_VOLATILE = {"sessions", "axes", "django_q", "contenttypes", "admin"}


def database_digest() -> str:
    """A fingerprint of every row a user could change."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.app_label in _VOLATILE:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        for row in model._default_manager.order_by("pk").values_list(*fields):
            digest.update(repr((model._meta.label, row)).encode())
    return digest.hexdigest()

# Routes a provider calls: they cannot carry our CSRF token, so a per-job secret in the URL
# stands in for it (tested in tests/jobs/test_callbacks.py).
CSRF_EXEMPT = {"jobs:callback", "jobs:callback_with_suffix"}
