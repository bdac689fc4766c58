"""Sharing a sequence's reel, in a real browser at 1280×720: an editor makes a link from the
sequence's page; a guest in a fresh browser context enters a name, plays the reel (the first
storyboard's take, then the second's, from media signed for the link) and opens a take to
comment; revoking makes the reel page and its videos answer 404."""

import os
import re

import pytest
from browser import signing
from playwright.sync_api import expect

from storyboard.boards.models import Shot, Storyboard
from storyboard.jobs.actions import submit_job
from storyboard.sequences.models import Sequence, SequenceEntry
from storyboard.teams.models import Membership, Team
from storyboard.teams.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-browser"
NOW_PLAYING = "[data-reel-now]"


@pytest.fixture
def studio(django_user_model, queue):
    team = Team.objects.create(name="Studio North")
    eddie = django_user_model.objects.create_user(username="eddie", password=PASSWORD)
    Membership.objects.create(team=team, user=eddie, role=Role.EDITOR)
    sequence = Sequence.objects.create(team=team, title="Scene 1", created_by=eddie)
    for position, title in enumerate(("Pier", "Gulls"), start=1):
        board = Storyboard.objects.create(team=team, title=title, created_by=eddie)
        for n, prompt in enumerate((f"{title} at dawn", f"{title} at noon")):
            Shot.objects.create(storyboard=board, position=n, prompt=prompt, duration="3")
        SequenceEntry.objects.create(sequence=sequence, position=position, storyboard=board)
        job = queue.drive(submit_job(board, eddie, f"take-{title}"))
        assert job.state == "succeeded", job.failure_text
    return team, eddie, sequence


def test_a_guest_plays_the_shared_reel_then_the_link_is_revoked(
        live_server, browser, page, console_errors, shots_dir, studio):
    team, eddie, sequence = studio
    signing.sign_in(page, live_server, "eddie", PASSWORD, f"/sequences/{sequence.pk}/")
    page.get_by_text("Share for review").click()
    form = page.get_by_role("form", name="Share the reel for review")
    form.get_by_role("button", name="Make share link for this reel").click()
    expect(page.get_by_role("heading", name="New link for the reel of “Scene 1”")).to_be_visible()
    link = page.get_by_label("Share link (shown only once)").input_value()

    guest_context = browser.new_context(viewport={"width": 1280, "height": 720})
    guest = guest_context.new_page()
    guest.on("console", lambda m: m.type == "error" and not m.text.startswith(
        "Failed to load resource: the server responded with a status of 4")
        and console_errors.append(f"guest console: {m.text}"))
    guest.on("pageerror", lambda error: console_errors.append(f"guest uncaught: {error}"))
    try:
        guest.goto(link)
        guest.get_by_label("Your name").fill("Ana")
        guest.get_by_role("button", name="Continue").click()
        expect(guest.get_by_role("heading", name="Reel of “Scene 1”")).to_be_visible()
        expect(guest.locator(NOW_PLAYING)).to_have_text("1. Pier — Take")
        guest.get_by_role("button", name="Play reel").click()
        # The first take ends and the reel goes on with the second storyboard's take.
        expect(guest.locator(NOW_PLAYING)).to_have_text("2. Gulls — Take", timeout=15000)
        src = guest.get_by_label("Reel of Scene 1").evaluate("v => v.currentSrc")
        assert "/media/" in src
        guest.wait_for_function(
            "() => document.querySelector('.reel-video').readyState >= 2")
        guest.screenshot(path=os.path.join(shots_dir, "reel-share-guest.png"), full_page=True)

        takes = guest.get_by_role("list", name="Takes").get_by_role("listitem")
        expect(takes).to_have_count(2)
        expect(takes.nth(1)).to_contain_text("2. Gulls")
        takes.nth(1).get_by_role("link", name=re.compile("Watch the take “Gulls”")).click()
        guest.get_by_label("Time code").fill("1.5")
        guest.get_by_label("Comment", exact=True).fill("Birds too small")
        guest.get_by_role("button", name="Add comment").click()
        expect(guest.get_by_role("list", name="Comments")).to_contain_text("guest: Ana")
        guest.get_by_role("link", name="The reel of “Scene 1”").click()
        expect(takes.nth(1)).to_contain_text("1 comment")

        page.goto(f"{live_server.url}/team/share-links/")
        row = page.get_by_role("table", name="Share links").get_by_role("row").filter(
            has_text="Reel of")
        row.get_by_role("button", name="Revoke the link of the reel of Scene 1").click()
        expect(page.get_by_role("status")).to_contain_text("revoked")
        assert guest.goto(link).status == 404
        assert guest_context.request.get(src).status == 404
    finally:
        guest_context.close()
