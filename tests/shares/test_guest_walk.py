"""The authorization walk with a seventh actor: a guest who passed another share link (its
password and name). Every team route sends them to sign in; every guest route of link A,
reached with link B's passage, opens nothing of A's and changes nothing; A's media signatures
do not work under B."""

import pytest
from authz import PARAMS, PUBLIC, database_digest, iter_routes, post_data, url_for
from django.urls import reverse
from shares.conftest import open_as_guest

from storyboard.jobs.models import Clip
from storyboard.shares.actions import create_share, create_takes_share
from storyboard.shares.signing import media_url

ROUTES = list(iter_routes())
GUEST_ROUTES = [r for r in ROUTES if r.name.startswith("share:")]
TEAM_ROUTES = [r for r in ROUTES if r.name not in PUBLIC]


@pytest.fixture
def guest_of_b(cast, make_clip):
    """A guest past link B (team B's own clip), and link A of team A, not passed."""
    their_clip = make_clip(team=cast.team_b, title="Theirs")
    _, token_b = create_share(their_clip, cast.outsider, 14, "pw-b", True)
    guest = open_as_guest(token_b, secret="pw-b", name="Bea")
    return guest, token_b


@pytest.fixture(autouse=True)
def _the_walks_sandbox(name_sandbox):
    name_sandbox("http://127.0.0.1:9")


def test_the_walk_finds_every_guest_route():
    assert {r.name for r in GUEST_ROUTES} == {"share:page", "share:unlock", "share:name",
                                              "share:comment", "share:decide", "share:media",
                                              "share:take", "share:take_comment",
                                              "share:take_decide"}
    assert all(r.name in PUBLIC and not r.login_required and r.permission is None
               for r in GUEST_ROUTES)


@pytest.mark.parametrize("route", TEAM_ROUTES, ids=lambda r: r.name)
def test_a_guest_of_another_link_is_sent_to_sign_in_on_every_team_route(route, cast, guest_of_b):
    guest, _ = guest_of_b
    url = url_for(route, cast)
    before = database_digest()
    for method in ("get", "post"):
        response = getattr(guest, method)(url, post_data(route, cast) if method == "post"
                                          else None)
        assert response.status_code == 302, f"{method.upper()} {url}"
        assert response["Location"].startswith("/login/?next=")
    assert database_digest() == before


@pytest.mark.parametrize("route", [r for r in GUEST_ROUTES if r.name not in
                                   ("share:page", "share:unlock", "share:name", "share:take")],
                         ids=lambda r: r.name)
def test_a_guest_of_another_link_gets_404_on_link_a(route, cast, guest_of_b):
    guest, _ = guest_of_b
    clip = Clip.objects.get(pk=PARAMS["clip_id"].make(cast))
    if "clip_id" in route.params:  # a take's route: link A shares the takes of clip's storyboard
        link_a, token_a = create_takes_share(clip.job.storyboard, cast.editor, 14, "pw-a", True)
    else:
        link_a, token_a = create_share(clip, cast.editor, 14, "pw-a", True)
    kwargs = {"share_token": token_a}
    if "clip_id" in route.params:
        kwargs["clip_id"] = clip.pk
    if "signed" in route.params:
        kwargs["signed"] = media_url(link_a, token_a, "video").rstrip("/").rsplit("/", 1)[1]
    url = reverse(route.name, kwargs=kwargs)
    before = database_digest()
    data = {"seconds": "1", "text": "from B", "decision": "approve"}
    statuses = {m: getattr(guest, m)(url, data if m == "post" else None).status_code
                for m in ("get", "post")}
    assert set(s for s in statuses.values() if s != 405) == {404}, statuses
    assert database_digest() == before


def test_link_a_media_under_link_b_answers_404(cast, guest_of_b):
    guest, token_b = guest_of_b
    link_a, token_a = create_share(Clip.objects.get(pk=PARAMS["clip_id"].make(cast)),
                                   cast.editor, 14)
    for kind in ("video", "poster"):
        signed = media_url(link_a, token_a, kind).rstrip("/").rsplit("/", 1)[1]
        assert guest.get(f"/s/{token_b}/media/{signed}/").status_code == 404


def test_a_guest_of_another_link_sees_only_link_as_password_form_on_its_take(cast, guest_of_b):
    guest, _ = guest_of_b
    clip = Clip.objects.get(pk=PARAMS["clip_id"].make(cast))
    _, token_a = create_takes_share(clip.job.storyboard, cast.editor, 14, "pw-a", True)
    for url in (f"/s/{token_a}/", f"/s/{token_a}/takes/{clip.pk}/"):
        page = guest.get(url)
        text = page.content.decode()
        assert page.status_code == 200 and "This review link has a password" in text, url
        assert "/media/" not in text and clip.job.title not in text
