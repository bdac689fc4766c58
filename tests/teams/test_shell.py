import re

import pytest


@pytest.mark.parametrize(
    "path, heading, promise",
    [
        ("/library/", "Library", "reference images"),
        ("/storyboards/", "Storyboards", "2–6 shots"),
        ("/gallery/", "Gallery", "Every clip generated"),
        ("/review/", "Review", "oldest first"),
        ("/team/", "Team settings", "Members"),
    ],
)
def test_every_section_says_what_it_holds(path, heading, promise, cast, client_for):
    response = client_for(cast.viewer).get(path)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{heading}" in page
    assert promise in page
    assert 'aria-current="page"' in page


def test_the_top_bar_names_the_team_and_lists_every_team_of_the_user(cast, client_for):
    cast.team_b.memberships.create(user=cast.editor, role="viewer")
    page = client_for(cast.editor).get("/library/").content.decode()
    assert '<label for="team-switcher">Team</label>' in page
    assert "Team A (editor)" in page
    assert "Team B (viewer)" in page
    for link in ("Library", "Storyboards", "Gallery", "Review", "Team settings"):
        assert f">{link}</a>" in page


def test_the_csrf_token_is_set_once_on_body_for_htmx(cast, client_for):
    page = client_for(cast.editor).get("/library/").content.decode()
    assert "<body hx-headers='{\"X-CSRFToken\": \"" in page
    assert re.search(r'<script src="/static/vendor/htmx-2\.0\.11\.min(\.\w+)?\.js"', page)


def test_no_page_of_the_shell_loads_anything_from_another_site(cast, client_for):
    page = client_for(cast.owner).get("/team/").content.decode()
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page
