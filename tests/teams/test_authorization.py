"""Every URL of the project, for every member of the cast: signed-out visitors are sent to the
login page, outsiders get 404 for team A's objects, and a role without a permission is refused
and changes nothing."""

import pytest
from authz import PARAMS, POST_DATA, PUBLIC, database_digest, iter_routes, post_data, url_for

from storyboard.teams.roles import ALL_PERMISSIONS, role_can

ROUTES = list(iter_routes())
TEAM_ROUTES = [r for r in ROUTES if r.permission not in (None, "missing")]


@pytest.fixture(autouse=True)
def _the_walks_sandbox(name_sandbox):
    # The walk's sandbox accounts (authz._account) point at a closed loopback port: named as
    # this server's sandbox they are valid, and "Test connection" fails fast, offline.
    name_sandbox("http://127.0.0.1:9")


def _id(route):
    return route.name


def test_the_walk_finds_the_project_urls():
    names = {r.name for r in ROUTES}
    assert {"login", "teams:settings", "library:index", "boards:index"} <= names


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_every_view_states_who_may_use_it(route):
    assert route.permission in ALL_PERMISSIONS | {None}, (
        f"{route.name}: decorate the view with @team_required(<permission>) or @personal"
    )


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_every_url_parameter_can_be_filled(route):
    missing = [p for p in route.params if p not in PARAMS]
    assert not missing, f"{route.name}: add {missing} to PARAMS in tests/authz.py"


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_signed_out_visitors_are_sent_to_login(route, cast, client):
    if route.name in PUBLIC:
        assert not route.login_required
        return
    url = url_for(route, cast)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url}"
        assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if any(PARAMS.get(p, PARAMS["member_id"]).team_scoped
                                       for p in r.params)], ids=_id)
def test_outsiders_get_404_for_team_a_objects(route, cast, client_for):
    url = url_for(route, cast)
    client = client_for(cast.outsider)
    before = database_digest()
    statuses = {m: getattr(client, m)(url, post_data(route, cast) if m == "post"
                                      else None).status_code for m in ("get", "post")}
    allowed = {m: s for m, s in statuses.items() if s != 405}
    assert allowed and set(allowed.values()) == {404}, statuses
    assert database_digest() == before


@pytest.mark.parametrize("route", TEAM_ROUTES, ids=_id)
@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_roles_without_the_permission_are_refused_and_change_nothing(route, role, cast,
                                                                     client_for):
    if role_can(role, route.permission):
        return
    url = url_for(route, cast)
    client = client_for(cast.by_role[role])
    before = database_digest()
    data = post_data(route, cast)
    for method, response in (("GET", client.get(url)), ("POST", client.post(url, data))):
        assert response.status_code in (403, 405), f"{role} {method} {url}"
    assert database_digest() == before


@pytest.mark.parametrize("route", TEAM_ROUTES, ids=_id)
def test_a_viewer_changes_nothing_anywhere(route, cast, client_for):
    url = url_for(route, cast)
    client = client_for(cast.viewer)
    before = database_digest()
    client.post(url, post_data(route, cast))
    client.get(url)
    assert database_digest() == before


@pytest.mark.parametrize("route", TEAM_ROUTES, ids=_id)
def test_every_team_post_has_sample_data_that_works_for_an_allowed_member(route, cast,
                                                                         client_for):
    url = url_for(route, cast)
    allowed = next(u for r, u in cast.by_role.items() if role_can(r, route.permission))
    client = client_for(allowed)
    before = database_digest()
    response = client.post(url, post_data(route, cast))
    if response.status_code == 405:
        assert route.name not in POST_DATA, f"{route.name} takes no POST; drop its POST_DATA"
        return
    assert route.name in POST_DATA, f"{route.name}: add sample POST data to tests/authz.py"
    assert response.status_code < 400, response.status_code
    assert database_digest() != before, f"{route.name}: the sample POST changed nothing"
