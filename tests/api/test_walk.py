"""The authorization walk of the API: every operation, found from the API itself, for a token of
every role and of an outsider. A role without the operation's permission gets 403 and changes
nothing; an outsider gets 404 for team A's objects; no token is 401. A new operation fails here
until it has sample parameters (PARAMS) and, when it takes one, a body (BODIES)."""

from __future__ import annotations

import re

import pytest
from authz import _board, _clip, _job, _sequence, _share_link, database_digest
from library.media_factory import jpeg, upload

from storyboard.api.main import api
from storyboard.api.models import ApiToken
from storyboard.teams.roles import role_can


def _operations():
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                for method in op.methods:
                    yield (method, f"{prefix.rstrip('/')}{path}".replace("//", "/"),
                           op.auth_callbacks[0].permission)


OPERATIONS = sorted(set(_operations()))
PARAMS = {"board_id": _board, "job_id": _job, "clip_id": _clip,
          "link_id": lambda cast: _share_link(cast)[0].pk,
          "sequence_id": lambda cast: _sequence(cast).pk}
BODIES = {
    ("POST", "/storyboards"): lambda cast: {"title": "Walked", "prompt": "A", "duration": "5"},
    ("PUT", "/storyboards/{board_id}"): lambda cast: {
        "title": "Walked again", "version": 1, "shots": [{"prompt": "A", "duration": "3"},
                                                         {"prompt": "B", "duration": "3"}]},
    ("POST", "/library/images"): lambda cast: {"file": upload(jpeg(), "walk.jpg")},
    ("POST", "/clips/{clip_id}/share-links"): lambda cast: {
        "expires_in_days": 7, "password": "walk", "can_decide": True},
    # The walk's storyboard has no finished take: 409 for those allowed, after the role check.
    ("POST", "/storyboards/{board_id}/share-links"): lambda cast: {"expires_in_days": 3},
    ("POST", "/sequences"): lambda cast: {"title": "Walked", "storyboards": [_board(cast)]},
}
HEADERS = {("POST", "/storyboards/{board_id}/submit"): {"Idempotency-Key": "walk"}}
QUERIES = {("GET", "/sequences/{sequence_id}/export"): "?format=otio"}  # required parameters


def _id(op):
    return f"{op[0]} {op[1]}"


def _prepare(client, op, cast, token):
    """The request, its objects made first (so the digest taken after sees them)."""
    method, path, _ = op
    url = "/api/v1" + re.sub(r"{(\w+)}", lambda m: str(PARAMS[m.group(1)](cast)), path)
    url += QUERIES.get(op[:2], "")
    headers = {**HEADERS.get(op[:2], {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = BODIES.get(op[:2], lambda cast: None)(cast)
    if op[:2] == ("POST", "/library/images"):
        return lambda: client.post(url, body, headers=headers)
    kwargs = {"content_type": "application/json"} if body is not None else {}
    return lambda: getattr(client, method.lower())(url, body, headers=headers, **kwargs)


def _token(cast, user, team=None):
    from storyboard.api.actions import create_token

    row, token = create_token(cast.member(user, team), f"walk {user.username}")
    from django.utils import timezone

    # Used just now: the walk's requests do not touch it again, so the digest holds still.
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return token


def test_the_walk_finds_every_operation():
    assert len(OPERATIONS) >= 15
    for method, path, permission in OPERATIONS:
        assert permission in {"view", "edit"}, (method, path)
        assert all(p in PARAMS for p in re.findall(r"{(\w+)}", path)), path
        if method in ("PUT",) or (method == "POST" and "{" not in path):
            assert (method, path) in BODIES, f"add a sample body for {method} {path}"


def test_viewer_tokens_only_read():
    for method, path, permission in OPERATIONS:
        if method != "GET" and not path.endswith("/check"):
            assert permission == "edit", (method, path)


@pytest.mark.parametrize("op", OPERATIONS, ids=_id)
def test_no_token_is_401(op, cast, client):
    send = _prepare(client, op, cast, None)
    before = database_digest()
    assert send().status_code == 401
    assert database_digest() == before


@pytest.mark.parametrize("op", OPERATIONS, ids=_id)
@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_every_role(op, role, cast, client, settings):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    token = _token(cast, cast.by_role[role])
    send = _prepare(client, op, cast, token)
    before = database_digest()
    response = send()
    if role_can(role, op[2]):
        assert response.status_code not in (401, 403), (role, response.content)
        assert response.status_code < 500
    else:
        assert response.status_code == 403, (role, response.content)
        assert response.json()["detail"]
        assert database_digest() == before


@pytest.mark.parametrize("op", [o for o in OPERATIONS if "{" in o[1]], ids=_id)
def test_outsiders_get_404_for_team_a_objects(op, cast, client):
    token = _token(cast, cast.outsider, cast.team_b)
    send = _prepare(client, op, cast, token)
    before = database_digest()
    response = send()
    assert response.status_code == 404, response.content
    assert database_digest() == before
