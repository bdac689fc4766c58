"""The one-time invitation link: created, shown once after the redirect, copied with a click."""

import re

import pytest
from browser import signing
from playwright.sync_api import expect

from storyboard.teams.actions import ensure_demo
from storyboard.teams.models import Invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_creates_an_invitation_and_copies_its_link(live_server, page):
    team, _ = ensure_demo(password="demo-password-for-browser")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=live_server.url)
    signing.sign_in(page, live_server, "demo", "demo-password-for-browser", "/team/")

    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Create invitation link").click()
    expect(page).to_have_url(f"{live_server.url}/team/")
    link = page.get_by_label("Invitation link (shown once)")
    expect(link).to_have_value(re.compile(rf"^{re.escape(live_server.url)}/team/join/[^/]+/$"))

    page.get_by_role("button", name="Copy the invitation link").click()
    expect(page.get_by_text("Copied", exact=True)).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link.input_value()

    # A reload is a GET: the link is gone and no second invitation is made.
    page.reload()
    expect(page.get_by_label("Invitation link (shown once)")).to_have_count(0)
    assert Invitation.objects.filter(team=team).count() == 1
