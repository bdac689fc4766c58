import os
import re

import pytest
from browser import signing
from playwright.sync_api import expect

from storyboard.teams.actions import ensure_demo
from storyboard.teams.models import Team
from storyboard.teams.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_owner_signs_in_switches_team_and_sees_the_shell(live_server, page,
                                                                   shots_dir):
    _, demo = ensure_demo(password="demo-password-for-browser")
    second = Team.objects.create(name="Second unit")
    second.memberships.create(user=demo, role=Role.VIEWER)

    page.goto(f"{live_server.url}/library/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/library/$"))
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")

    page.get_by_label("Password").fill("demo-password-for-browser")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/library/")
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Library", "Storyboards", "Gallery", "Review", "Team settings"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_label("Team")).to_have_value(str(demo.memberships.get(
        team__name="Demo").team_id))

    page.get_by_label("Team").select_option(label="Second unit (viewer)")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("status")).to_contain_text("Switched to Second unit.")
    expect(page).to_have_url(f"{live_server.url}/library/")
    expect(page.get_by_role("heading", name="Library")).to_be_visible()
    expect(page.get_by_text("Second unit's reference images")).to_be_visible()

    nav.get_by_role("link", name="Team settings").click()
    expect(page.get_by_role("heading", name="Team settings: Second unit")).to_be_visible()
    # A viewer gets no management controls.
    expect(page.get_by_role("button", name="Create invitation link")).to_have_count(0)
    page.screenshot(path=os.path.join(shots_dir, "shell-team-settings.png"), full_page=True)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/"))


def test_the_account_form_shows_only_the_chosen_services_fields(live_server, page):
    ensure_demo(password="demo-password-for-browser")
    signing.sign_in(page, live_server, "demo", "demo-password-for-browser", "/team/accounts/new/")
    page.get_by_label("Service").select_option(label="Kling (official API)")
    expect(page.get_by_label(re.compile("^Access key"))).to_be_visible()
    expect(page.get_by_label(re.compile("^API token"))).to_be_hidden()
    page.get_by_label("Service").select_option(label="useapi.net")
    expect(page.get_by_label(re.compile("^API token"))).to_be_visible()
    expect(page.get_by_label(re.compile("^Access key"))).to_be_hidden()
