"""The storyboard editor in a real browser: build a storyboard by drag and drop, watch the live
checks, reorder, reload, preview the animatic, and meet a second tab's newer save."""

import os
import re
import time

import pytest
from browser import signing
from library.media_factory import make_image, make_image_element
from playwright.sync_api import expect

from storyboard.boards.models import Storyboard
from storyboard.teams.models import Membership, Team
from storyboard.teams.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def studio(django_user_model):
    team = Team.objects.create(name="Studio North")
    user = django_user_model.objects.create_user(username="ines", password="pw-for-browser")
    Membership.objects.create(team=team, user=user, role=Role.EDITOR)
    make_image(team, user, name="stove.png", width=900, height=600, color=(190, 70, 40))
    make_image(team, user, name="pancake.png", width=800, height=800, color=(230, 190, 90))
    make_image_element(team, user, name="Chef")
    return team


def sign_in(page, live_server, path="/storyboards/"):
    signing.sign_in(page, live_server, "ines", "pw-for-browser", path)


def saved(page):
    """Wait until every change so far is saved."""
    expect(page.get_by_role("status").filter(has_text="version")).to_have_text(
        re.compile(r"^Saved · version \d+$"))
    page.wait_for_function("() => !document.querySelector('#editor.htmx-request')")


def shot(page, n):
    return page.get_by_role("list", name="Shots").get_by_role("listitem").nth(n - 1)


def test_an_editor_builds_checks_reorders_reloads_and_previews_a_storyboard(
        live_server, page, shots_dir, studio):
    sign_in(page, live_server)
    page.get_by_label("New storyboard").fill("Kitchen chase")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_label("Title")).to_have_value("Kitchen chase")

    tray = page.get_by_role("list", name="Reference tray")
    library = page.get_by_role("complementary", name="Library")
    library.get_by_role("listitem").filter(has_text="stove").drag_to(tray)
    expect(tray.get_by_role("button", name="Insert @image_1 into the prompt")).to_be_visible()
    library.get_by_role("listitem").filter(has_text="pancake").drag_to(tray)
    expect(tray.get_by_role("button", name="Insert @image_2 into the prompt")).to_be_visible()
    library.get_by_role("list", name="Elements").get_by_role("listitem").filter(
        has_text="Chef").drag_to(tray)
    expect(tray.get_by_role("button", name="Insert @element_1 into the prompt")).to_be_visible()
    expect(page.get_by_label("Slots used")).to_have_text("3 / 7 slots")
    # Attached but not mentioned yet: a warning beside the slot.
    expect(tray.get_by_role("listitem").filter(has_text="@image_2")).to_contain_text(
        "attached but not used")

    prompt1 = page.get_by_label("Prompt of shot 1")
    prompt1.click()
    prompt1.press_sequentially("@ele")
    expect(page.get_by_role("listbox", name="References to insert")).to_be_visible()
    prompt1.press("Enter")
    prompt1.press_sequentially("lights the stove @image_1")
    expect(prompt1).to_have_value("@element_1 lights the stove @image_1")
    page.get_by_label("Prompt of shot 2").fill("A pancake @image_2 flies up")
    page.get_by_role("button", name="Add shot").click()
    page.get_by_label("Prompt of shot 3").fill("Applause in the kitchen")
    saved(page)
    expect(page.get_by_label("Checks and preview")).to_contain_text("9 s of 3–15 s")

    # A duration error appears beside the timeline and clears again.
    page.get_by_label("Seconds of shot 3").fill("12")
    expect(page.locator("#p-shots")).to_contain_text("Shots add up to 18 s")
    expect(page.get_by_role("button", name="Submit")).to_be_disabled()
    page.screenshot(path=os.path.join(shots_dir, "editor-duration-error.png"))
    page.get_by_label("Seconds of shot 3").fill("4")
    expect(page.locator("#p-shots")).to_be_empty()
    expect(page.get_by_role("button", name="Submit")).to_be_enabled()
    expect(page.get_by_label("Checks and preview")).to_contain_text("10 s of 3–15 s")

    # Drag shot 1's right edge two seconds wider (whole seconds), then back with the keyboard.
    edge = page.get_by_role("slider", name="Length of shot 1")
    box = edge.bounding_box()
    card_width = shot(page, 1).bounding_box()["width"]
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + card_width / 3 * 2 + 5, y, steps=8)
    page.mouse.up()
    expect(page.get_by_label("Seconds of shot 1")).to_have_value("5")
    expect(page.get_by_label("Checks and preview")).to_contain_text("12 s of 3–15 s")
    edge.focus()
    edge.press("ArrowLeft")
    edge.press("ArrowLeft")
    expect(page.get_by_label("Seconds of shot 1")).to_have_value("3")
    expect(page.get_by_label("Checks and preview")).to_contain_text("10 s of 3–15 s")

    # Reorder: drag shot 3 in front of shot 1 by its header.
    shot(page, 3).locator(".shot-head h3").drag_to(shot(page, 1).locator(".shot-head h3"))
    expect(page.get_by_label("Prompt of shot 1")).to_have_value("Applause in the kitchen")
    saved(page)
    page.screenshot(path=os.path.join(shots_dir, "editor-built.png"))

    page.reload()
    expect(page.get_by_label("Prompt of shot 1")).to_have_value("Applause in the kitchen")
    expect(page.get_by_label("Prompt of shot 2")).to_have_value(
        "@element_1 lights the stove @image_1")
    expect(page.get_by_label("Prompt of shot 3")).to_have_value("A pancake @image_2 flies up")
    expect(page.get_by_label("Seconds of shot 1")).to_have_value("4")
    expect(tray.locator(".slot")).to_have_count(3)
    expect(tray.get_by_role("img", name="Chef")).to_be_visible()
    board = Storyboard.objects.get(title="Kitchen chase")
    assert [s.duration for s in board.shots.all()] == ["4", "3", "3"]

    page.get_by_role("button", name="Preview").click()
    video = page.get_by_label("Animatic preview")
    expect(video).to_be_visible(timeout=20_000)
    page.wait_for_function(
        "() => { const v = document.querySelector('#preview video');"
        " return v && v.readyState >= 1 && v.duration > 0; }", timeout=20_000)
    duration = video.evaluate("v => v.duration")
    assert abs(duration - 10) < 0.2
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.querySelector('#preview video').currentTime > 0.3",
                           timeout=10_000)
    page.screenshot(path=os.path.join(shots_dir, "editor-preview.png"))

    # Export, then back to the list: the storyboard is there with its three shots.
    with page.expect_download() as download:
        page.get_by_role("link", name="Export").click()
    assert download.value.suggested_filename == "kitchen-chase.json"
    exported = download.value.path()
    page.get_by_role("link", name="← Storyboards").click()
    row = page.get_by_role("row").filter(has_text="Kitchen chase")
    expect(row).to_contain_text("3")
    page.screenshot(path=os.path.join(shots_dir, "storyboards-list.png"))

    # Re-import the exported file: a second "Kitchen chase" with the same shots and references.
    page.get_by_role("link", name="Import a batch file").click()
    page.get_by_label("Batch file").set_input_files(exported)
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".messages")).to_contain_text("Imported “Kitchen chase”.")
    expect(page.get_by_label("Prompt of shot 2")).to_have_value(
        "@element_1 lights the stove @image_1")
    expect(page.get_by_role("list", name="Reference tray").locator(".slot")).to_have_count(3)
    assert Storyboard.objects.filter(title="Kitchen chase").count() == 2


def test_a_second_tab_is_told_about_the_newer_save_and_overwrites_nothing(
        live_server, page, browser, studio, shots_dir):
    board = Storyboard.objects.create(team=studio, title="Two tabs")
    from storyboard.boards.models import Shot

    for i in range(2):
        Shot.objects.create(storyboard=board, position=i, prompt=f"Shot {i + 1}", duration="3")
    sign_in(page, live_server, f"/storyboards/{board.pk}/")
    other = page.context.new_page()
    other.goto(f"{live_server.url}/storyboards/{board.pk}/")

    page.get_by_label("Prompt of shot 1").fill("Written in the first tab")
    saved(page)
    other.get_by_label("Prompt of shot 2").fill("Written in the second tab")
    alert = other.get_by_role("alert")
    expect(alert).to_contain_text("This storyboard was changed elsewhere")
    expect(alert).to_contain_text("Written in the first tab")
    other.screenshot(path=os.path.join(shots_dir, "editor-conflict.png"))
    board.refresh_from_db()
    assert [s.prompt for s in board.shots.all()] == ["Written in the first tab", "Shot 2"]
    other.get_by_role("link", name="Load the newer version").click()
    expect(other.get_by_label("Prompt of shot 1")).to_have_value("Written in the first tab")


def test_the_tray_buttons_work_the_moment_sign_in_returns_even_when_scripts_are_slow(
        live_server, page, studio):
    # The editor's script arrives late, as on a busy machine: signing in must wait for it, or the
    # first press of + lands on a button that does nothing yet (a flaky test before).
    def late(route):
        time.sleep(1.5)
        route.continue_()

    page.route("**/boards/editor*.js", late)
    board = Storyboard.objects.create(team=studio, title="Slow scripts")
    from storyboard.boards.models import Shot

    for i in range(2):
        Shot.objects.create(storyboard=board, position=i, prompt=f"Shot {i + 1}", duration="3")
    sign_in(page, live_server, f"/storyboards/{board.pk}/")
    page.get_by_role("button", name="Add stove to the tray").press("Enter")
    expect(page.get_by_role("list", name="Reference tray").locator(".slot")).to_have_count(1)
    saved(page)


def test_switching_shape_carries_the_text_and_the_keyboard_fills_the_tray(
        live_server, page, studio, shots_dir):
    board = Storyboard.objects.create(team=studio, title="Shapes")
    from storyboard.boards.models import Shot

    for i, (prompt, seconds) in enumerate([("Morning light", "4"), ("Coffee pours", "3")]):
        Shot.objects.create(storyboard=board, position=i, prompt=prompt, duration=seconds)
    sign_in(page, live_server, f"/storyboards/{board.pk}/")

    page.get_by_role("button", name="Add stove to the tray").press("Enter")
    expect(page.get_by_role("list", name="Reference tray").locator(".slot")).to_have_count(1)
    # The same picture twice would only take a second slot: the editor says where it is.
    page.get_by_role("button", name="Add stove to the tray").press("Enter")
    expect(page.get_by_role("list", name="Reference tray").locator(".slot")).to_have_count(1)
    notice = page.get_by_role("status", name="Tray notice")
    expect(notice).to_have_text("stove is already in the tray as @image_1.")
    # The save of the first press answers after the second press: the notice outlives it.
    saved(page)
    expect(notice).to_have_text("stove is already in the tray as @image_1.")
    page.get_by_role("button", name="Insert @image_1 into the prompt").click()
    saved(page)

    page.get_by_label("Single shot").check()
    prompt = page.get_by_role("textbox", name="Prompt", exact=True)
    expect(prompt).to_have_value("Morning light @image_1\n\nCoffee pours")
    expect(page.get_by_label("Seconds", exact=True)).to_have_value("7")
    expect(page.get_by_role("heading", name="Prompt", exact=True)).to_be_visible()
    saved(page)
    page.screenshot(path=os.path.join(shots_dir, "editor-single-shot.png"))

    page.get_by_label("Multi-shot").check()
    expect(page.get_by_label("Prompt of shot 1")).to_have_value(
        "Morning light @image_1\n\nCoffee pours")
    expect(page.get_by_label("Seconds of shot 1")).to_have_value("4")
    expect(page.get_by_label("Seconds of shot 2")).to_have_value("3")
    expect(page.locator("#p-shots-1-prompt")).to_contain_text("Shot 2 has no prompt.")
    # The redrawn timeline works like the first one.
    page.get_by_role("button", name="Add shot").click()
    page.get_by_label("Prompt of shot 3").fill("The cup, close")
    page.get_by_label("Prompt of shot 2").fill("Steam")
    saved(page)
    board.refresh_from_db()
    assert [s.prompt for s in board.shots.all()] == [
        "Morning light @image_1\n\nCoffee pours", "Steam", "The cup, close"]


def test_an_owner_fills_the_rate_card_and_the_editor_estimates_the_cost(
        live_server, page, studio, django_user_model, shots_dir):
    from storyboard.teams.accounts import AccountInput, add_account

    owner = django_user_model.objects.create_user(username="olga", password="pw-for-browser")
    Membership.objects.create(team=studio, user=owner, role=Role.OWNER)
    add_account(studio, AccountInput("kling", "Kling main", {"access_key": "a",
                                                              "secret_key": "b"}))
    signing.sign_in(page, live_server, "olga", "pw-for-browser", "/team/")
    page.get_by_role("link", name="Edit the rate card").click()
    expect(page.get_by_text("The rate card is empty")).to_be_visible()
    page.get_by_label("Unit").fill("USD")
    page.get_by_label("kling v3 std price per second").fill("0.084")
    page.screenshot(path=os.path.join(shots_dir, "rate-card.png"), full_page=True)
    page.get_by_role("button", name="Save rate card").click()
    expect(page.get_by_role("status")).to_contain_text("Rate card saved.")

    page.goto(f"{live_server.url}/storyboards/")
    page.get_by_label("New storyboard").fill("Priced")
    page.get_by_role("button", name="Create").click()
    cost = page.locator("#cost")
    expect(cost).to_contain_text("Free: the animatic")
    page.get_by_label("Target", exact=True).select_option(label="Kling main · Kling 3.0 Omni (v3)")
    expect(cost).to_contain_text("≈ 0.504 USD (6 s × 0.084 USD per second, kling v3 std)")
    page.get_by_label("Mode").select_option("pro")
    expect(cost).to_contain_text("the rate card has no price for kling v3 pro")


# --- previews render in the worker ---------------------------------------------------------


@pytest.fixture(autouse=True)
def _preview_worker(monkeypatch):
    """The worker's part of Preview in these tests: a render handed to it runs at once, with the
    worker's own function, in the live server's thread (tests that watch a render wait take
    `held_renders` instead)."""
    from storyboard.boards import tasks

    monkeypatch.setattr("storyboard.boards.tasks.async_task",
                        lambda func, *args: tasks.render_preview_task(*args))


@pytest.fixture
def held_renders(monkeypatch):
    """Renders handed to the worker wait here until the test runs them."""
    held: list[int] = []
    monkeypatch.setattr("storyboard.boards.tasks.async_task", lambda func, *args: held.extend(args))
    return held


def test_preview_says_it_is_rendering_then_plays_when_the_worker_is_done(
        live_server, page, shots_dir, studio, held_renders):
    from storyboard.boards import tasks
    from storyboard.boards.models import Shot

    board = Storyboard.objects.create(team=studio, title="Breakfast")
    for position, prompt in enumerate(("Eggs crack into the pan", "Toast pops up")):
        Shot.objects.create(storyboard=board, position=position, prompt=prompt, duration="3")
    sign_in(page, live_server, f"/storyboards/{board.pk}/")
    expect(page.get_by_label("Title")).to_have_value("Breakfast")

    page.get_by_role("button", name="Preview").click()
    panel = page.get_by_role("region", name="Preview")
    expect(panel.get_by_role("status")).to_contain_text("Rendering the animatic")
    expect(page.get_by_label("Animatic preview")).to_have_count(0)
    page.wait_for_timeout(1500)  # the panel polls meanwhile and still says so
    expect(panel.get_by_role("status")).to_contain_text("Rendering the animatic")
    page.screenshot(path=os.path.join(shots_dir, "editor-preview-rendering.png"))
    assert len(held_renders) == 1

    assert tasks.render_preview_task(held_renders.pop()) == "ready"  # the worker's step
    video = page.get_by_label("Animatic preview")
    expect(video).to_be_visible(timeout=10_000)
    expect(video).to_have_attribute("src", re.compile(r"^/storyboards/previews/\d+/$"))
    page.wait_for_function(
        "() => { const v = document.querySelector('#preview video');"
        " return v && v.readyState >= 1 && v.duration > 0; }", timeout=20_000)
    assert abs(video.evaluate("v => v.duration") - 6) < 0.2
    # Polling stopped with the player: nothing replaces it any more.
    handle = video.element_handle()
    page.wait_for_timeout(1500)
    assert handle.evaluate("v => v.isConnected")
    page.screenshot(path=os.path.join(shots_dir, "editor-preview-ready.png"))

    # Pressed again with nothing changed, the same render plays at once.
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_label("Animatic preview")).to_be_visible()
    assert held_renders == []


def test_an_imported_provider_element_id_stays_in_the_tray_across_edits(live_server, page,
                                                                        studio):
    sign_in(page, live_server, "/storyboards/import/")
    page.get_by_label("…or paste its text").fill(
        '{"title": "Hero walk", "element_1": "u_abc123", "shots": ['
        '{"prompt": "@element_1 walks in", "duration": "3"},'
        '{"prompt": "@element_1 waves", "duration": "3"}]}')
    page.get_by_role("button", name="Import").click()
    slot = page.get_by_role("list", name="Reference tray").get_by_role("listitem").filter(
        has=page.get_by_role("button", name="Insert @element_1 into the prompt"))
    expect(slot).to_contain_text("u_abc123")
    expect(slot).to_contain_text("Provider id")
    page.get_by_label("Prompt of shot 2").fill("@element_1 waves goodbye")
    saved(page)
    page.reload()
    expect(page.get_by_label("Prompt of shot 2")).to_have_value("@element_1 waves goodbye")
    expect(slot).to_contain_text("Provider id")
    board = Storyboard.objects.get(title="Hero walk")
    assert board.slots.get().provider_element_id == "u_abc123"
