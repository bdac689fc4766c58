"""Drawing on the frame in a real browser, at 1280×720, on a real 3 + 3 + 3 s clip: a reviewer
pauses at 4.2 s, draws a pen stroke, an arrow and a rectangle with the mouse on the video (a
colour changed, an undo on the way), the player keys rest while drawing, and comments; the
drawing shows over the video at that time, hides away from it, comes back when the comment is
clicked and while playback passes 4.2 s; a viewer sees it too and has no drawing tools."""

import os

import pytest
from browser import signing
from playwright.sync_api import expect

from storyboard.boards.models import Shot, Storyboard
from storyboard.jobs.actions import submit_job
from storyboard.review.models import Comment
from storyboard.teams.models import Membership, Team
from storyboard.teams.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-browser"
VIDEO = "document.getElementById('review-video')"
THREE = "3 shapes at 0:04.2: posted with your comment."


@pytest.fixture
def coast(django_user_model, queue):
    team = Team.objects.create(name="Studio North")
    people = {}
    for name, role in (("rita", Role.REVIEWER), ("victor", Role.VIEWER)):
        people[name] = django_user_model.objects.create_user(username=name, password=PASSWORD)
        Membership.objects.create(team=team, user=people[name], role=role)
    board = Storyboard.objects.create(team=team, title="Coast", created_by=people["rita"])
    for position, prompt in enumerate(("Gulls over the harbour", "A slow pan to the lighthouse",
                                       "Waves on the rocks")):
        Shot.objects.create(storyboard=board, position=position, prompt=prompt, duration="3")
    job = queue.drive(submit_job(board, people["rita"], "drawing-take"))
    assert job.state == "succeeded", job.failure_text
    return job.clips.get()


def shot(page, shots_dir, name):
    page.screenshot(path=os.path.join(shots_dir, f"drawing-{name}.png"), full_page=True)


def on_frame(page, x: float, y: float) -> tuple[float, float]:
    """Where on the screen the point (x, y) of the frame is (0..1 each way), through the
    overlay's own transform: the picture may be letterboxed inside the video's box."""
    return tuple(page.evaluate(
        """([x, y]) => { const svg = document.getElementById('overlay');
             const box = svg.viewBox.baseVal, m = svg.getScreenCTM();
             return [m.a * x * box.width + m.e, m.d * y * box.height + m.f]; }""", [x, y]))


def drag(page, points) -> None:
    page.mouse.move(*on_frame(page, *points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*on_frame(page, *point), steps=4)
    page.mouse.up()


def wait_until(page, condition: str) -> None:
    page.wait_for_function(f"() => {{ const v = {VIDEO}; return {condition}; }}",
                           timeout=15_000)


def shapes_over_the_video(page) -> list[str]:
    return page.evaluate("() => [...document.getElementById('overlay').children]"
                         ".map(e => e.tagName)")


def test_a_reviewer_draws_on_the_frame_at_4_2_s_and_the_drawing_follows_the_comment(
        live_server, page, shots_dir, coast):
    signing.sign_in(page, live_server, "rita", PASSWORD, f"/review/clips/{coast.pk}/?t=4.2")
    wait_until(page, "v.readyState >= 2 && Math.abs(v.currentTime - 4.2) < 0.01")
    tools = page.get_by_role("group", name="Drawing on the frame")
    draw = tools.get_by_role("button", name="Draw on the frame")
    expect(draw).to_have_attribute("aria-pressed", "false")
    expect(tools.get_by_role("button", name="Undo last shape")).to_be_disabled()

    # Draw pauses on the frame on screen and takes its time for the comment.
    draw.click()
    expect(draw).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("Time code")).to_have_value("4.19")  # frame 100's middle
    expect(page.get_by_text("Shot 2 of 3")).to_be_visible()
    expect(tools.get_by_role("button", name="Pen")).to_have_attribute("aria-pressed", "true")
    drag(page, [(0.45, 0.30), (0.55, 0.28), (0.60, 0.38), (0.52, 0.46), (0.44, 0.38)])
    tools.get_by_role("button", name="Yellow").click()
    expect(tools.get_by_role("button", name="Yellow")).to_have_attribute("aria-pressed", "true")
    expect(tools.get_by_role("button", name="Red")).to_have_attribute("aria-pressed", "false")
    tools.get_by_role("button", name="Arrow").click()
    drag(page, [(0.15, 0.80), (0.42, 0.45)])
    tools.get_by_role("button", name="Rectangle").click()
    drag(page, [(0.05, 0.05), (0.30, 0.20)])  # a mistake: undone
    expect(tools.get_by_role("status")).to_have_text(THREE)
    tools.get_by_role("button", name="Undo last shape").click()
    tools.get_by_role("button", name="Green").click()
    drag(page, [(0.70, 0.55), (0.95, 0.90)])
    expect(tools.get_by_role("status")).to_have_text(THREE)
    assert shapes_over_the_video(page) == ["polyline", "line", "polyline", "rect"]

    # While drawing the player keys rest: the frame stays put; Esc stops drawing.
    page.get_by_role("button", name="Green").focus()
    for key in ("ArrowRight", "l", "End"):
        page.keyboard.press(key)
    assert page.evaluate(f"() => {VIDEO}.paused")
    assert abs(page.evaluate(f"() => {VIDEO}.currentTime") - 4.2) < 0.01
    page.keyboard.press("Escape")
    expect(draw).to_have_attribute("aria-pressed", "false")
    shot(page, shots_dir, "1-drawn")

    page.get_by_label("Comment", exact=True).fill("Frame the lighthouse, and the pan from here")
    page.get_by_role("button", name="Add comment").click()
    entry = page.get_by_role("list", name="Comments").get_by_role("listitem").filter(
        has_text="Frame the lighthouse")
    expect(entry).to_contain_text("0:04.2")
    expect(entry).to_contain_text("Shot 2 of 3")
    expect(tools.get_by_role("status")).to_have_text("")  # the drawing went with it
    comment = Comment.objects.get()
    pen, arrow, rect = comment.drawing["shapes"]
    assert [(s["kind"], s["colour"]) for s in (pen, arrow, rect)] == [
        ("pen", "red"), ("arrow", "yellow"), ("rect", "green")]
    assert all(abs(a - b) < 0.01 for a, b in zip(arrow["points"][0] + arrow["points"][1],
                                                  (0.15, 0.80, 0.42, 0.45), strict=True))
    assert all(abs(a - b) < 0.01 for a, b in zip(rect["points"][0] + rect["points"][1],
                                                 (0.70, 0.55, 0.95, 0.90), strict=True))
    assert 5 <= len(pen["points"]) <= 500

    # Over the video at its time; the list shows it without any script too.
    overlay = page.get_by_role("img", name="Drawing of the comment at 0:04.2")
    expect(overlay).to_be_visible()
    expect(entry.get_by_role("button", name="Show the drawing at 0:04.2")).to_be_visible()
    # Away from 4.2 s it hides; clicking the comment seeks there and shows it.
    page.get_by_role("button", name="Go to shot 1 at 0:00.0").click()
    expect(overlay).to_have_count(0)
    assert shapes_over_the_video(page) == []
    entry.get_by_role("button", name="Show the drawing at 0:04.2").click()
    wait_until(page, "Math.abs(v.currentTime - 4.19) < 0.01")
    expect(overlay).to_be_visible()
    assert shapes_over_the_video(page) == ["polyline", "line", "polyline", "rect"]
    shot(page, shots_dir, "2-shown")

    # Played through, it shows from 3.69 s to 4.69 s and then goes.
    page.get_by_role("button", name="Go to shot 2 at 0:03.0").click()
    expect(overlay).to_have_count(0)
    page.get_by_role("button", name="Play", exact=True).click()
    wait_until(page, "!v.paused && v.currentTime > 3.7 && v.currentTime < 4.6 && "
                     "document.getElementById('overlay').childElementCount === 4")
    wait_until(page, "v.currentTime > 4.8 && "
                     "document.getElementById('overlay').childElementCount === 0")
    page.get_by_role("button", name="Pause").click()

    # A viewer sees the drawing and has no tools to draw.
    signing.sign_in(page, live_server, "victor", PASSWORD, f"/review/clips/{coast.pk}/?t=4.2")
    wait_until(page, "v.readyState >= 2 && Math.abs(v.currentTime - 4.2) < 0.01")
    expect(page.get_by_role("img", name="Drawing of the comment at 0:04.2")).to_be_visible()
    expect(page.get_by_role("group", name="Drawing on the frame")).to_have_count(0)
    shot(page, shots_dir, "3-viewer")
