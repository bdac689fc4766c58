"""Review in a real browser: a reviewer comments at 4.2 s (shot 2 of a 3 + 3 + 3 s storyboard)
and asks for a retake; the editor finds the new revision with the note; once it is submitted
again and made, the reviewer approves the new take and the gallery shows it approved."""

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
    people = {}
    for name, role in (("rita", Role.REVIEWER), ("eddie", Role.EDITOR)):
        people[name] = django_user_model.objects.create_user(username=name, password=PASSWORD)
        Membership.objects.create(team=team, user=people[name], role=role)
    board = Storyboard.objects.create(team=team, title="Coast", created_by=people["eddie"])
    for position, prompt in enumerate(("Gulls over the harbour", "A slow pan to the lighthouse",
                                       "Waves on the rocks")):
        Shot.objects.create(storyboard=board, position=position, prompt=prompt, duration="3")
    return team, people, board


def sign_in(page, live_server, username, path="/"):
    signing.sign_in(page, live_server, username, PASSWORD, path)


def shot(page, shots_dir, name):
    page.screenshot(path=os.path.join(shots_dir, f"review-{name}.png"), full_page=True)


def test_comment_retake_revise_resubmit_approve(live_server, page, shots_dir, studio, queue):
    team, people, board = studio
    first = queue.drive(submit_job(board, people["eddie"], "first-take"))
    assert first.state == "succeeded", first.failure_text

    # The reviewer sees one clip waiting and opens it from the queue.
    sign_in(page, live_server, "rita", "/review/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name=re.compile(r"^Review\s+1$"))).to_be_visible()
    queue_list = page.get_by_role("list", name="Clips awaiting review")
    expect(queue_list.get_by_role("listitem")).to_have_count(1)
    shot(page, shots_dir, "1-queue")
    queue_list.get_by_role("link", name="Review Coast").click()

    expect(page.get_by_role("img", name="Shot boundaries at 0:03.0, 0:06.0")).to_be_visible()
    video = page.get_by_label("Clip of Coast")
    page.wait_for_function("() => document.getElementById('review-video').readyState >= 1")

    # A comment pinned to 4.2 s names shot 2 of 3.
    page.get_by_label("Time code").fill("4.2")
    expect(page.get_by_text("Shot 2 of 3")).to_be_visible()  # the live hint while typing
    page.get_by_label("Comment", exact=True).fill("The pan starts late")
    page.get_by_role("button", name="Add comment").click()
    comments = page.get_by_role("list", name="Comments")
    entry = comments.get_by_role("listitem").filter(has_text="The pan starts late")
    expect(entry).to_contain_text("0:04.2")
    expect(entry).to_contain_text("Shot 2 of 3")
    expect(page.get_by_label("Comment", exact=True)).to_have_value("")
    # Clicking the time code seeks the player there.
    entry.get_by_role("button", name="Play from 0:04.2").click()
    page.wait_for_function("() => Math.abs(document.getElementById('review-video')"
                           ".currentTime - 4.2) < 0.05")
    expect(page.get_by_label("Current time")).to_have_text("0:04.2")
    assert video.evaluate("v => v.paused")
    # The shot buttons seek too; the scrubber shows the position.
    page.get_by_role("button", name="Go to shot 3 at 0:06.0").click()
    expect(page.get_by_label("Current time")).to_have_text("0:06.0")
    expect(page.get_by_label("Position in the clip")).to_have_value("6")
    shot(page, shots_dir, "2-comment")

    # Ask for a retake with a note.
    page.get_by_label("Note for the retake").fill("Slower pan in shot 2, please")
    page.get_by_role("button", name="Request retake").click()
    expect(page.get_by_role("status").filter(has_text="Retake requested: the new revision")
           ).to_be_visible()
    expect(page.get_by_label("Review state")).to_have_text("Retake requested")
    history = page.get_by_role("list", name="Decisions")
    expect(history).to_contain_text("Slower pan in shot 2, please")
    expect(nav.get_by_role("link", name="Review", exact=True)).to_be_visible()  # queue empty
    shot(page, shots_dir, "3-retake")

    # The editor finds the new revision, with the note and the time-coded comment.
    sign_in(page, live_server, "eddie", "/storyboards/")
    page.get_by_role("link", name="Coast (retake)").first.click()
    note = page.get_by_role("note", name="Retake note")
    expect(note).to_contain_text("Retake requested by rita")
    expect(note).to_contain_text("Slower pan in shot 2, please")
    expect(note.get_by_role("list", name="Comments on the take")).to_contain_text(
        "0:04.2 · shot 2 · The pan starts late")
    expect(page.get_by_label("Prompt of shot 2")).to_have_value("A slow pan to the lighthouse")
    shot(page, shots_dir, "4-editor-note")
    revision = Storyboard.objects.get(parent=board)

    # Submitted again; the worker makes the new take.
    second = queue.drive(submit_job(revision, people["eddie"], "second-take"))
    assert second.state == "succeeded", second.failure_text

    # The reviewer approves the new take.
    sign_in(page, live_server, "rita", "/review/")
    queue_list = page.get_by_role("list", name="Clips awaiting review")
    expect(queue_list.get_by_role("listitem")).to_have_count(1)
    queue_list.get_by_role("link", name="Review Coast").click()
    page.get_by_role("button", name="Approve this take").click()
    expect(page.get_by_label("Review state")).to_have_text("✓ Approved")
    expect(page.get_by_role("button", name="Approve this take")).to_have_count(0)

    # The gallery shows it approved; the first take keeps its retake state.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gallery").click()
    cards = page.get_by_role("list", name="Clips").get_by_role("listitem")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).get_by_label("Review state")).to_have_text("✓ Approved")
    expect(cards.nth(1).get_by_label("Review state")).to_have_text("Retake requested")
    # Play on hover fetches the clip and plays it.
    cards.nth(0).get_by_label("Preview of Coast (retake)", exact=True).hover()
    page.wait_for_function("() => { const v = document.querySelector('video.hover-play');"
                           " return v.getAttribute('src') && !v.paused; }")
    page.mouse.move(0, 0)
    shot(page, shots_dir, "5-gallery")

    # Both takes, grouped, and side by side.
    cards.nth(0).get_by_role("link", name="Takes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Takes of"))
    page.get_by_role("checkbox").nth(0).check()
    page.get_by_role("checkbox").nth(1).check()
    page.get_by_role("button", name="Compare two takes side by side").click()
    page.get_by_role("button", name="Play both").click()
    page.wait_for_function("() => [...document.querySelectorAll('video.synced')]"
                           ".every(v => !v.paused && v.currentTime > 0.5)")
    page.get_by_role("button", name="Pause both").click()
    times = page.evaluate("() => [...document.querySelectorAll('video.synced')]"
                          ".map(v => v.currentTime)")
    assert abs(times[0] - times[1]) < 0.25, times
    shot(page, shots_dir, "6-compare")
