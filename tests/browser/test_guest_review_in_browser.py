"""Review by a guest in a real browser, at 1280×720: an editor shares a take with a password
and decision rights; a guest opens the link in a fresh browser context, enters the password and
a name, comments at 4.2 s (shot 2 of 3) with a drawing on the frame (a rectangle and an arrow,
drawn with the mouse) and requests a retake; the editor sees the guest's comment, its drawing
over the video and the decision in the team's review and on the new revision; revoking the
link makes the guest's page and media answer 404."""

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
LINK_PASSWORD = "harbour lights"


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


def on_frame(page, x: float, y: float) -> tuple[float, float]:
    """The screen point of (x, y) on the frame (0..1 each way), through the overlay's transform."""
    return tuple(page.evaluate(
        """([x, y]) => { const svg = document.getElementById('overlay');
             const box = svg.viewBox.baseVal, m = svg.getScreenCTM();
             return [m.a * x * box.width + m.e, m.d * y * box.height + m.f]; }""", [x, y]))


def drag(page, start, end) -> None:
    page.mouse.move(*on_frame(page, *start))
    page.mouse.down()
    page.mouse.move(*on_frame(page, *end), steps=6)
    page.mouse.up()


def shapes_over_the_video(page) -> list[str]:
    return page.evaluate("() => [...document.getElementById('overlay').children]"
                         ".map(e => e.tagName)")


def shot(page, shots_dir, name):
    page.screenshot(path=os.path.join(shots_dir, f"guest-review-{name}.png"), full_page=True)


def test_a_guest_comments_and_asks_for_a_retake_then_the_link_is_revoked(
        live_server, browser, page, console_errors, shots_dir, studio, queue):
    team, eddie, board = studio
    take = queue.drive(submit_job(board, eddie, "first-take"))
    assert take.state == "succeeded", take.failure_text
    clip = take.clips.get()

    # The editor shares the take from its review page, with a password and decision rights.
    signing.sign_in(page, live_server, "eddie", PASSWORD, f"/review/clips/{clip.pk}/")
    page.get_by_text("Share for review").click()
    page.get_by_label("Expires after").select_option("7")
    page.get_by_label("Password (optional)").fill(LINK_PASSWORD)
    page.get_by_label("Guests may approve or request a retake").check()
    page.get_by_role("button", name="Make share link").click()
    expect(page.get_by_role("heading", name="Share links")).to_be_visible()
    link = page.get_by_label("Share link (shown only once)").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/s/[\w-]{{32,}}/", link), link
    shot(page, shots_dir, "1-link")

    # A guest, in a browser context of their own: no account, no cookies of the editor's.
    guest_context = browser.new_context(viewport={"width": 1280, "height": 720})
    guest = guest_context.new_page()
    guest.on("console", lambda m: m.type == "error" and not m.text.startswith(
        "Failed to load resource: the server responded with a status of 4")
        and console_errors.append(f"guest console: {m.text}"))
    guest.on("pageerror", lambda error: console_errors.append(f"guest uncaught: {error}"))
    try:
        guest.goto(link)
        guest.get_by_label("Password").fill("wrong")
        guest.get_by_role("button", name="Open").click()
        expect(guest.get_by_role("alert")).to_have_text(
            "Password: that is not the password of this link.")
        guest.get_by_label("Password").fill(LINK_PASSWORD)
        guest.get_by_role("button", name="Open").click()
        guest.get_by_label("Your name").fill("Ana")
        guest.get_by_role("button", name="Continue").click()
        expect(guest.get_by_text("You are reviewing as Ana")).to_be_visible()
        expect(guest.get_by_role("img", name="Shot boundaries at 0:03.0, 0:06.0")).to_be_visible()
        expect(guest.get_by_role("list", name="Shots of the plan").get_by_role("listitem")
               ).to_have_count(3)
        guest.wait_for_function("() => document.getElementById('review-video').readyState >= 1")
        video_url = guest.get_by_label("Clip of Coast").evaluate("v => v.currentSrc")
        assert "/media/" in video_url

        # At 4.2 s the guest draws on the frame: Draw pauses there and takes its time code.
        guest.get_by_label("Position in the clip").fill("4.2")
        guest.wait_for_function("() => Math.abs(document.getElementById('review-video')"
                                ".currentTime - 4.2) < 0.01")
        tools = guest.get_by_role("group", name="Drawing on the frame")
        tools.get_by_role("button", name="Draw on the frame").click()
        expect(guest.get_by_label("Time code")).to_have_value("4.19")
        expect(guest.get_by_text("Shot 2 of 3")).to_be_visible()
        tools.get_by_role("button", name="Rectangle").click()
        drag(guest, (0.62, 0.18), (0.86, 0.62))
        tools.get_by_role("button", name="Yellow").click()
        tools.get_by_role("button", name="Arrow").click()
        drag(guest, (0.30, 0.75), (0.60, 0.45))
        expect(tools.get_by_role("status")).to_have_text(
            "2 shapes at 0:04.2: posted with your comment.")
        guest.get_by_label("Comment", exact=True).fill("The pan starts late")
        guest.get_by_role("button", name="Add comment").click()
        entry = guest.get_by_role("list", name="Comments").get_by_role("listitem").filter(
            has_text="The pan starts late")
        expect(entry).to_contain_text("0:04.2")
        expect(entry).to_contain_text("Shot 2 of 3")
        expect(entry).to_contain_text("guest: Ana")
        # Back on the page (it reloaded), clicking the comment shows the drawing over the video.
        entry.get_by_role("button", name="Show the drawing at 0:04.2").click()
        expect(guest.get_by_role("img", name="Drawing of the comment at 0:04.2")).to_be_visible()
        assert shapes_over_the_video(guest) == ["rect", "line", "polyline"]
        shot(guest, shots_dir, "2-guest-drawing")

        guest.get_by_label("Note for the retake").fill("Slower pan in shot 2, please")
        guest.get_by_role("button", name="Request retake").click()
        expect(guest.get_by_label("Review state")).to_have_text("Retake requested")
        shot(guest, shots_dir, "2-guest")

        # The editor sees the guest's comment, its drawing and decision in the team's review...
        page.goto(f"{live_server.url}/review/clips/{clip.pk}/")
        comments = page.get_by_role("list", name="Comments")
        theirs = comments.get_by_role("listitem").filter(has_text="The pan starts late")
        expect(theirs).to_contain_text("guest: Ana")
        page.wait_for_function("() => document.getElementById('review-video').readyState >= 1")
        theirs.get_by_role("button", name="Show the drawing at 0:04.2").click()
        expect(page.get_by_role("img", name="Drawing of the comment at 0:04.2")).to_be_visible()
        assert shapes_over_the_video(page) == ["rect", "line", "polyline"]
        shot(page, shots_dir, "3-editor-drawing")
        history = page.get_by_role("list", name="Decisions")
        expect(history).to_contain_text("Retake requested")
        expect(history).to_contain_text("by guest: Ana")
        expect(history).to_contain_text("Slower pan in shot 2, please")
        # ...and on the new revision, with the note and the time-coded comment.
        history.get_by_role("link", name="Coast (retake)").click()
        note = page.get_by_role("note", name="Retake note")
        expect(note).to_contain_text("Retake requested by guest: Ana")
        expect(note.get_by_role("list", name="Comments on the take")).to_contain_text(
            "0:04.2 · shot 2 · The pan starts late — guest: Ana")
        expect(note.get_by_role("link", name="The drawing at 0:04.2, over the take")
               ).to_be_visible()
        shot(page, shots_dir, "3-editor")

        # The team's list shows the link opened, by one guest; revoking stops it at once.
        page.goto(f"{live_server.url}/team/share-links/")
        row = page.get_by_role("table", name="Share links").get_by_role("row").filter(
            has_text="Coast")
        expect(row.get_by_role("cell").nth(4)).to_have_text("1")
        expect(row).not_to_contain_text("never")
        row.get_by_role("button", name="Revoke the link of Coast").click()
        expect(page.get_by_role("status")).to_contain_text("revoked")

        answer = guest.goto(link)
        assert answer.status == 404
        assert guest_context.request.get(video_url).status == 404
        shot(page, shots_dir, "4-revoked")
    finally:
        guest_context.close()
