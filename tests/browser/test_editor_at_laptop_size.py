"""The editor on a 1280 × 720 laptop screen: a new user builds, previews and submits a storyboard
with the timeline in view without scrolling, shot widths follow their seconds exactly, the
library folds away (and stays folded), the preview player widens on demand, and a second
Submit is another take, asked for by name."""

import os

import pytest
from browser import signing
from library.media_factory import make_image
from playwright.sync_api import expect

from storyboard.jobs.models import Job
from storyboard.teams.models import Membership, Team
from storyboard.teams.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT_HEIGHT = 720


@pytest.fixture
def team(django_user_model):
    team = Team.objects.create(name="Studio North with a rather long team name")
    user = django_user_model.objects.create_user(username="ines", password="pw-for-browser")
    Membership.objects.create(team=team, user=user, role=Role.EDITOR)
    for name, color in (("stove.png", (190, 70, 40)), ("pancake.png", (230, 190, 90)),
                        ("kitchen.png", (60, 120, 160))):
        make_image(team, user, name=name, width=900, height=600, color=color)
    return team


@pytest.fixture(autouse=True)
def _previews_at_once(monkeypatch):
    """Preview renders run at once, with the worker's own function."""
    from storyboard.boards import tasks

    monkeypatch.setattr("storyboard.boards.tasks.async_task",
                        lambda func, *args: tasks.render_preview_task(*args))


def widths(page):
    shots = page.get_by_role("list", name="Shots").get_by_role("listitem")
    return [shots.nth(i).bounding_box()["width"] for i in range(shots.count())]


def assert_proportional(widths, seconds):
    scale = widths[0] / seconds[0]
    for width, secs in zip(widths, seconds, strict=True):
        assert abs(width - secs * scale) <= 1.5, (widths, seconds)


def assert_timeline_in_view(page):
    """From the top of the page, the first shot's prompt and seconds are on screen."""
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("window.scrollY") == 0
    for control in (page.get_by_label("Prompt of shot 1"), page.get_by_label("Seconds of shot 1")):
        box = control.bounding_box()
        assert box["y"] + box["height"] <= VIEWPORT_HEIGHT, box


def test_a_new_user_builds_previews_and_submits_at_laptop_size(
        live_server, page, team, queue, shots_dir):
    signing.sign_in(page, live_server, "ines", "pw-for-browser", "/storyboards/")
    # The top bar stays on one line, even with a long team name.
    assert page.get_by_role("banner").bounding_box()["height"] < 50
    page.get_by_label("New storyboard").fill("Kitchen chase")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_label("Title")).to_have_value("Kitchen chase")
    page.wait_for_load_state("load")

    for name in ("kitchen", "stove", "pancake"):
        page.get_by_role("button", name=f"Add {name} to the tray").click()
    tray = page.get_by_role("list", name="Reference tray")
    expect(tray.get_by_role("button", name="Insert @image_3 into the prompt")).to_be_visible()
    page.get_by_label("Prompt of shot 1").fill("Wide: the kitchen at dawn @image_1")
    page.get_by_label("Seconds of shot 1").fill("8")
    page.get_by_label("Prompt of shot 2").fill("The stove lights @image_2")
    page.get_by_label("Seconds of shot 2").fill("2")
    page.get_by_role("button", name="Add shot").click()
    page.get_by_label("Prompt of shot 3").fill("A pancake @image_3 flies up")
    expect(page.get_by_label("Checks and preview")).to_contain_text("13 s of 3–15 s")
    expect(page.get_by_role("button", name="Submit")).to_be_enabled()

    assert_timeline_in_view(page)
    assert_proportional(widths(page), [8, 2, 3])
    page.screenshot(path=os.path.join(shots_dir, "laptop-editor.png"))

    # Folding the library gives the timeline the room, in proportion, and is remembered.
    page.get_by_role("button", name="Hide library").click()
    expect(page.get_by_role("complementary", name="Library")).to_be_hidden()
    wide = widths(page)
    assert_proportional(wide, [8, 2, 3])
    page.reload()
    expect(page.get_by_role("button", name="Show library")).to_have_attribute(
        "aria-expanded", "false")
    expect(page.get_by_role("complementary", name="Library")).to_be_hidden()
    assert_proportional(widths(page), [8, 2, 3])
    assert_timeline_in_view(page)
    page.screenshot(path=os.path.join(shots_dir, "laptop-editor-library-hidden.png"))

    # A larger player on demand, then Preview plays the animatic in it.
    larger = page.get_by_role("button", name="Larger player")
    larger.click()
    expect(larger).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Preview", exact=True).click()
    video = page.get_by_label("Animatic preview")
    expect(video).to_be_visible(timeout=20_000)
    assert video.bounding_box()["width"] >= 480
    page.screenshot(path=os.path.join(shots_dir, "laptop-editor-larger-player.png"))
    larger.click()
    expect(larger).to_have_attribute("aria-pressed", "false")
    assert video.bounding_box()["width"] < 320

    page.get_by_role("button", name="Submit").click()
    jobs = page.get_by_role("region", name="Jobs")
    expect(jobs.get_by_role("article")).to_have_count(1)
    job = Job.objects.get()
    assert job.storyboard.title == "Kitchen chase"
    # Submit again on the unchanged storyboard is another take, asked for by name.
    another = page.get_by_role("button", name="Submit another take")
    expect(another).to_be_enabled()
    expect(page.locator("#submit-note")).to_contain_text(
        f"was submitted as job {job.short_id}")
    another.click()
    expect(jobs.get_by_role("article")).to_have_count(2)
    assert Job.objects.count() == 2
    ids = jobs.get_by_role("article").evaluate_all("cards => cards.map(c => c.id)")
    assert len(set(ids)) == 2
    for made in Job.objects.all():
        assert queue.drive(made).state == "succeeded"
    assert_timeline_in_view(page)
    page.screenshot(path=os.path.join(shots_dir, "laptop-editor-two-takes.png"))
