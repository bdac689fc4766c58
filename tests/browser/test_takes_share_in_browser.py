"""Sharing a storyboard's takes, in a real browser at 1280×720: an editor makes a link from the
storyboard's Takes page with decision rights; a guest in a fresh browser context enters a name,
sees both takes, comments on one at 4.2 s and approves it, finds the other take without that
comment; the team's Share links page says what is shared; revoking makes the guest's take page
and its video answer 404."""

import os
import re

import pytest
from browser import signing
from playwright.sync_api import expect

from storyboard.boards.models import Shot, Storyboard
from storyboard.jobs.actions import submit_job
from storyboard.teams.models import Membership, Team
from storyboard.teams.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-browser"


@pytest.fixture
def studio(django_user_model):
    team = Team.objects.create(name="Studio North")
    eddie = django_user_model.objects.create_user(username="eddie", password=PASSWORD)
    Membership.objects.create(team=team, user=eddie, role=Role.EDITOR)
    board = Storyboard.objects.create(team=team, title="Coast", created_by=eddie)
    for position, prompt in enumerate(("Gulls over the harbour", "A slow pan to the lighthouse",
                                       "Waves on the rocks")):
        Shot.objects.create(storyboard=board, position=position, prompt=prompt, duration="3")
    return team, eddie, board


def shot(page, shots_dir, name):
    page.screenshot(path=os.path.join(shots_dir, f"takes-share-{name}.png"), full_page=True)


def test_a_guest_reviews_among_the_takes_then_the_link_is_revoked(
        live_server, browser, page, console_errors, shots_dir, studio, queue):
    team, eddie, board = studio
    clips = []
    for key in ("take-1", "take-2"):
        job = queue.drive(submit_job(board, eddie, key))
        assert job.state == "succeeded", job.failure_text
        clips.append(job.clips.get())
    older, newer = clips

    # The editor shares the storyboard's takes from its Takes page.
    signing.sign_in(page, live_server, "eddie", PASSWORD, f"/gallery/takes/{board.pk}/")
    page.get_by_text("Share for review").click()
    form = page.get_by_role("form", name="Share the takes for review")
    form.get_by_label("Expires after").select_option("3")
    form.get_by_label("Guests may approve or request a retake").check()
    form.get_by_role("button", name="Make share link for these takes").click()
    expect(page.get_by_role("heading", name="New link for the takes of “Coast”")).to_be_visible()
    link = page.get_by_label("Share link (shown only once)").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/s/[\w-]{{32,}}/", link), link
    shot(page, shots_dir, "1-link")

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
        expect(guest.get_by_role("heading", name="Takes of “Coast”")).to_be_visible()
        takes = guest.get_by_role("list", name="Takes").get_by_role("listitem")
        expect(takes).to_have_count(2)
        # Every poster loads: signed for this link, one per take.
        guest.wait_for_function("() => [...document.querySelectorAll('.clip-grid img')]"
                                ".every(i => i.complete && i.naturalWidth > 0)")
        shot(guest, shots_dir, "2-takes")

        # The older take (listed second): a comment at 4.2 s on shot 2, then the approval.
        takes.nth(1).get_by_role("link", name=re.compile("Watch the take")).click()
        expect(guest).to_have_url(re.compile(rf"/takes/{older.pk}/$"))
        guest.wait_for_function("() => document.getElementById('review-video').readyState >= 1")
        video_url = guest.get_by_label("Clip of Coast").evaluate("v => v.currentSrc")
        assert "/media/" in video_url
        guest.get_by_label("Time code").fill("4.2")
        expect(guest.get_by_text("Shot 2 of 3")).to_be_visible()
        guest.get_by_label("Comment", exact=True).fill("The pan starts late")
        guest.get_by_role("button", name="Add comment").click()
        entry = guest.get_by_role("list", name="Comments").get_by_role("listitem").filter(
            has_text="The pan starts late")
        expect(entry).to_contain_text("guest: Ana")
        guest.get_by_role("button", name="Approve this take").click()
        expect(guest.get_by_label("Review state")).to_have_text("✓ Approved")
        shot(guest, shots_dir, "3-take")

        # The other take has its own (empty) comments and is still awaiting review.
        guest.get_by_role("link", name="All takes of “Coast”").click()
        expect(takes.nth(1)).to_contain_text("1 comment")
        expect(takes.nth(1).get_by_label("Review state")).to_have_text("Approved")
        takes.nth(0).get_by_role("link", name=re.compile("Watch the take")).click()
        expect(guest).to_have_url(re.compile(rf"/takes/{newer.pk}/$"))
        expect(guest.get_by_text("No comments yet.")).to_be_visible()
        expect(guest.get_by_label("Review state")).to_have_text("Awaiting review")

        # The team sees the comment on that take's review, and what the link shares.
        page.goto(f"{live_server.url}/review/clips/{older.pk}/")
        expect(page.get_by_role("list", name="Comments").get_by_role("listitem").filter(
            has_text="The pan starts late")).to_contain_text("guest: Ana")
        page.goto(f"{live_server.url}/team/share-links/")
        row = page.get_by_role("table", name="Share links").get_by_role("row").filter(
            has_text="Takes of")
        expect(row.get_by_role("link", name="Coast")).to_have_attribute(
            "href", f"/gallery/takes/{board.pk}/")
        expect(row.get_by_role("cell").nth(4)).to_have_text("1")
        row.get_by_role("button", name="Revoke the link of the takes of Coast").click()
        expect(page.get_by_role("status")).to_contain_text("revoked")
        shot(page, shots_dir, "4-revoked")

        assert guest.goto(f"{link}takes/{older.pk}/").status == 404
        assert guest.goto(link).status == 404
        assert guest_context.request.get(video_url).status == 404
    finally:
        guest_context.close()
