"""Every state-changing request needs the CSRF token, htmx ones included (sent as the
X-CSRFToken header that <body hx-headers> sets)."""

import re

import pytest
from authz import CSRF_EXEMPT, database_digest, iter_routes, post_data, url_for

POST_ROUTES = [r for r in iter_routes() if r.name not in ("healthz", *CSRF_EXEMPT)]


@pytest.fixture(autouse=True)
def _the_walks_sandbox(name_sandbox):
    # The walk's sandbox accounts (authz._account) point at a closed loopback port: named as
    # this server's sandbox they are valid, and "Test connection" fails fast, offline.
    name_sandbox("http://127.0.0.1:9")


@pytest.mark.parametrize("route", POST_ROUTES, ids=lambda r: r.name)
def test_a_post_without_the_token_is_refused_and_changes_nothing(route, cast, client_for):
    client = client_for(cast.owner, csrf=True)
    url = url_for(route, cast)
    before = database_digest()
    response = client.post(url, post_data(route, cast))
    assert response.status_code in (403, 405), f"POST {url}"
    assert database_digest() == before


def test_the_token_from_the_page_body_works_as_an_htmx_header(cast, client_for):
    client = client_for(cast.owner, csrf=True)
    page = client.get("/team/").content.decode()
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    response = client.post("/team/rename/", {"name": "Via htmx"}, HTTP_X_CSRFTOKEN=token,
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 302
    cast.team_a.refresh_from_db()
    assert cast.team_a.name == "Via htmx"


def test_an_expired_form_gets_a_page_that_explains(cast, client_for):
    response = client_for(cast.owner, csrf=True).post("/team/rename/", {"name": "x"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
