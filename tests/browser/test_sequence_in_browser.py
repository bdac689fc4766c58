"""A sequence in a real browser at 1280 × 720: an editor builds a 3-storyboard sequence (create,
add, drag and buttons to reorder), continues from the last frame of a take (the new storyboard
follows it in the sequence, its first frame that last frame), plays the reel across storyboard
boundaries (an animatic standing in for a missing take, a storyboard with neither skipped),
downloads the FCPXML from the Export form (refused first, naming the storyboards without a
take) and a ZIP the worker builds while the page follows its progress."""

import io
import os
import re
import zipfile
from collections import deque

import av
import opentimelineio as otio
import pytest
from browser import signing
from django.core.files.storage import default_storage
from PIL import Image, ImageChops, ImageStat
from playwright.sync_api import expect

from storyboard.boards import convert
from storyboard.boards.actions import request_preview
from storyboard.boards.models import Shot, Storyboard
from storyboard.boards.tasks import render_preview_task
from storyboard.jobs.actions import submit_job
from storyboard.sequences.exports import build_export_task
from storyboard.sequences.exports_models import SequenceExport
from storyboard.teams.models import Membership, Team
from storyboard.teams.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-browser"
NOW_PLAYING = "[data-reel-now]"


@pytest.fixture
def studio(django_user_model, queue, monkeypatch):
    """Harbour and Lighthouse have a take (2 s + 2 s, made by the worker's own functions);
    Market has only its animatic preview."""
    team = Team.objects.create(name="Studio North")
    eddie = django_user_model.objects.create_user(username="eddie", password=PASSWORD)
    Membership.objects.create(team=team, user=eddie, role=Role.EDITOR)
    boards = {}
    for title, prompts in (("Harbour", ("Gulls over the harbour", "Boats at the quay")),
                           ("Market", ("Stalls at dawn", "A fishmonger shouts")),
                           ("Lighthouse", ("The lighthouse at dusk", "Its beam sweeps"))):
        board = Storyboard.objects.create(team=team, title=title, created_by=eddie)
        for position, prompt in enumerate(prompts):
            Shot.objects.create(storyboard=board, position=position, prompt=prompt,
                                duration="2")
        boards[title] = board
    for title in ("Harbour", "Lighthouse"):
        job = queue.drive(submit_job(boards[title], eddie, f"take-{title}"))
        assert job.state == "succeeded", job.failure_text
    sent = []
    monkeypatch.setattr("storyboard.boards.tasks.async_task", lambda *args: sent.append(args))
    market = convert.with_related(Storyboard.objects.filter(pk=boards["Market"].pk)).get()
    preview = request_preview(market, convert.to_value(market), {})
    assert render_preview_task(preview.pk) == "ready"
    return team, boards


@pytest.fixture
def export_tasks(monkeypatch):
    """Exports handed to the worker, run by hand in the test with the worker's function."""
    tasks = []
    monkeypatch.setattr("storyboard.sequences.exports.async_task",
                        lambda name, *args: tasks.append(args))
    return tasks


def shot(page, shots_dir, name):
    page.screenshot(path=os.path.join(shots_dir, f"sequence-{name}.png"), full_page=True)


def strip_titles(page):
    strip = page.get_by_role("list", name="Storyboards of the sequence")
    return [re.sub(r"^\d+\.\s*", "", t) for t in
            strip.get_by_role("heading", level=3).all_inner_texts()]


def add(page, title):
    page.get_by_label("Add storyboard").select_option(label=title)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status").filter(has_text=f"Added “{title}”.")).to_be_visible()


def last_frame(path):
    with av.open(path) as container:
        return deque(container.decode(video=0), maxlen=1)[0].to_image()


def test_build_continue_play_and_export_a_sequence(live_server, page, shots_dir, studio,
                                                   export_tasks):
    team, boards = studio
    signing.sign_in(page, live_server, "eddie", PASSWORD, "/sequences/")

    # Create the sequence and put the three storyboards in, out of order.
    page.get_by_label("New sequence title").fill("Scene 1")
    page.get_by_role("button", name="Create sequence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scene 1")
    for title in ("Lighthouse", "Harbour", "Market"):
        add(page, title)
    assert strip_titles(page) == ["Lighthouse", "Harbour", "Market"]
    shot(page, shots_dir, "1-added")

    # Drag Harbour by its handle to the top, then Lighthouse later with the button.
    strip = page.get_by_role("list", name="Storyboards of the sequence")
    harbour = strip.get_by_role("listitem").filter(has_text="Harbour")
    harbour.locator(".drag-handle").drag_to(strip.get_by_role("listitem").first,
                                            target_position={"x": 20, "y": 5})
    page.wait_for_load_state("load")
    expect(strip.get_by_role("heading", level=3).first).to_contain_text("Harbour")
    assert strip_titles(page) == ["Harbour", "Lighthouse", "Market"]
    page.get_by_role("button", name="Move Lighthouse later").click()
    expect(strip.get_by_role("heading", level=3).nth(1)).to_contain_text("Market")
    assert strip_titles(page) == ["Harbour", "Market", "Lighthouse"]
    expect(page.locator("#running-total")).to_contain_text("3 storyboards · running total")
    market_row = strip.get_by_role("listitem").filter(has_text="Market")
    expect(market_row).to_contain_text("plays its animatic")
    expect(market_row.get_by_text("Animatic", exact=True)).to_be_visible()
    shot(page, shots_dir, "2-ordered")

    # Continue from the last frame of Harbour's take.
    take = boards["Harbour"].jobs.get().clips.get()
    page.get_by_role("button", name="Continue from the last frame of Harbour").click()
    expect(page.get_by_role("status").filter(
        has_text="It follows the clip in “Scene 1”.")).to_be_visible()
    continued = Storyboard.objects.get(title="Harbour (continued)")
    expect(page.get_by_label("Title")).to_have_value("Harbour (continued)")
    shot(page, shots_dir, "3-continued")
    slot = continued.slots.get()
    assert (slot.name, slot.role) == ("image_1", "first_frame")
    with default_storage.open(slot.image.file) as stored:
        first = Image.open(io.BytesIO(stored.read())).convert("RGB")
    expected = last_frame(default_storage.path(take.file)).convert("RGB").resize(first.size)
    difference = ImageStat.Stat(ImageChops.difference(first, expected)).mean
    assert max(difference) < 3, difference  # the same picture, give or take the encoding

    page.goto(f"{live_server.url}/sequences/{continued.sequence_entry.sequence_id}/")
    assert strip_titles(page) == ["Harbour", "Harbour (continued)", "Market", "Lighthouse"]
    expect(strip.get_by_role("listitem").filter(has_text="Harbour (continued)")).to_contain_text(
        "no animatic yet: open it and press Preview")

    # The scrubber: three storyboard boundaries, a dashed mark inside each of the three that
    # play (two shots each), the animatic stand-in and the skipped storyboard hatched.
    scrubber = page.get_by_role("slider", name="Reel position")
    expect(scrubber.locator(".reel-mark.board")).to_have_count(3)
    expect(scrubber.locator(".reel-mark.shot")).to_have_count(3)
    spans = page.evaluate("""() => [...document.querySelectorAll('.reel-mark')]
        .filter(m => m.className.includes('-span'))
        .map(m => [m.className, m.style.left, m.style.width])""")
    assert spans == [["reel-mark skipped-span", "22.2222%", "33.3333%"],
                     ["reel-mark animatic-span", "55.5556%", "22.2222%"]], spans
    legend = page.locator(".reel-legend")
    expect(legend).to_contain_text("animatic, no take yet")
    expect(legend).to_contain_text("nothing to play yet, skipped")
    expect(page.locator(NOW_PLAYING)).to_have_text("1. Harbour — Take")

    # Play the reel: it runs on across the boundaries, skipping the storyboard with nothing
    # to play and labelling the animatic stand-in.
    page.get_by_role("button", name="Play reel").click()
    expect(page.get_by_role("button", name="Pause reel")).to_be_visible()
    page.wait_for_function("() => document.querySelector('.reel-video').currentTime > 0.5")
    shot(page, shots_dir, "4-playing")
    expect(page.locator(NOW_PLAYING)).to_have_text("3. Market — Animatic (no take yet)",
                                                   timeout=10_000)
    expect(page.locator(NOW_PLAYING)).to_have_class(re.compile(r"\banimatic\b"))
    page.wait_for_function("() => !document.querySelector('.reel-video').paused"
                           " && document.querySelector('.reel-video').currentTime > 0.3")
    at = float(scrubber.get_attribute("aria-valuenow"))
    assert 10 <= at <= 14, at  # Harbour 4 s + the 6 s skipped, then into Market
    shot(page, shots_dir, "5-animatic")
    expect(page.locator(NOW_PLAYING)).to_have_text("4. Lighthouse — Take", timeout=10_000)
    expect(page.get_by_role("button", name="Play reel")).to_be_visible(timeout=10_000)
    total = scrubber.get_attribute("aria-valuemax")
    expect(page.locator("[data-reel-time]")).to_have_text(f"{total} / {total} s")

    # The keyboard jumps; a click on the scrubber seeks.
    scrubber.focus()
    page.keyboard.press("Home")
    expect(scrubber).to_have_attribute("aria-valuenow", "0.0")
    expect(page.locator(NOW_PLAYING)).to_have_text("1. Harbour — Take")
    box = scrubber.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.99, box["y"] + box["height"] / 2)
    expect(page.locator(NOW_PLAYING)).to_have_text("4. Lighthouse — Take")
    # Two clicks before the new source has loaded: the second one wins (Lighthouse starts at
    # 14 s of 18: 99 % is 3.8 s into it, 80 % under half a second).
    page.keyboard.press("Home")
    page.wait_for_function("() => document.querySelector('.reel-video').readyState >= 1")
    page.evaluate("""() => {
      const s = document.querySelector('[data-reel-scrubber]'), b = s.getBoundingClientRect();
      for (const f of [0.99, 0.8]) s.dispatchEvent(new MouseEvent('click',
        {clientX: b.left + b.width * f, clientY: b.top + 5, bubbles: true}));
    }""")
    page.wait_for_function("""() => {
      const v = document.querySelector('.reel-video');
      const lighthouse = document.querySelectorAll('.reel-items li')[3].dataset.src;
      return v.src.endsWith(lighthouse) && v.readyState >= 1 && !v.seeking; }""")
    expect(page.locator(NOW_PLAYING)).to_have_text("4. Lighthouse — Take")
    at = page.evaluate("() => document.querySelector('.reel-video').currentTime")
    shown = float(scrubber.get_attribute("aria-valuenow"))
    assert at < 1 and abs(14 + at - shown) < 0.1, (at, shown)  # not the first click's 3.8 s

    # Export the FCPXML: refused first, naming the storyboards without a take.
    export = page.get_by_role("form", name="Export")
    export.get_by_label("Format").select_option(label="Final Cut Pro X (.fcpxml)")
    export.get_by_role("button", name="Export").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Not exported: no take yet for “Harbour (continued)”, “Market”.")
    shot(page, shots_dir, "6-missing-takes")
    with page.expect_download() as download:
        page.get_by_role("link", name="export with their animatic instead").click()
    assert download.value.suggested_filename == "Scene-1.fcpxml"
    with open(download.value.path(), encoding="utf-8") as f:
        timeline = otio.adapters.read_from_string(f.read(), "fcpx_xml")
    clips = timeline.find_clips()
    assert [c.name for c in clips] == ["Harbour", "Harbour (continued)", "Market", "Lighthouse"]
    assert [round(c.source_range.duration.to_seconds(), 1) for c in clips] == [4, 6, 4, 4]
    assert [m.name for m in clips[0].markers] == ["Shot 1", "Shot 2"]
    assert not export_tasks  # a timeline is built at once, in the request

    # The ZIP is the worker's: the page follows it and offers the file once built.
    page.get_by_role("link", name="← Scene 1").click()
    export.get_by_label("Format").select_option(label="ZIP for an editor (clips and timelines)")
    export.get_by_label("Fill missing takes with their animatic").check()
    export.get_by_role("button", name="Export").click()
    expect(page.get_by_role("status").filter(has_text="Waiting for the worker")).to_be_visible()
    expect(page.get_by_label("Export progress")).to_be_visible()
    shot(page, shots_dir, "7-zip-waiting")
    row = SequenceExport.objects.get(format="zip")
    assert export_tasks == [(row.pk,)]
    assert build_export_task(row.pk) == "ready"
    link = page.get_by_role("link", name="Download ZIP for an editor (clips and timelines)")
    expect(link).to_be_visible(timeout=5_000)
    shot(page, shots_dir, "8-zip-ready")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "Scene-1.zip"
    with zipfile.ZipFile(download.value.path()) as zf:
        assert zf.namelist() == [
            "media/01-Harbour.mp4", "media/02-Harbour-continued.mp4", "media/03-Market.mp4",
            "media/04-Lighthouse.mp4", "Scene-1.otio", "Scene-1.fcpxml", "Scene-1.edl"]
