"""The storyboards list in a real browser at 1280 × 720: two storyboards with the same title are
told apart by their target and their picture (one the poster of its latest clip, the other its
first reference image), every picture loads, a storyboard with neither shows a placeholder and
no broken image, and searching keeps each row's own picture and last job."""

import os
from datetime import timedelta

import pytest
from browser import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from library.media_factory import jpeg, make_image
from playwright.sync_api import expect

from storyboard.boards.models import Shot, Slot, Storyboard
from storyboard.jobs.models import Clip, Job
from storyboard.teams.models import Membership, ProviderAccount, Team
from storyboard.teams.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-browser"
TITLE = "Harbour at dawn"
ALL_PICTURES_LOADED = """() => {
  const pictures = [...document.querySelectorAll('#board-list img')];
  return pictures.length > 0 && pictures.every(p => p.complete && p.naturalWidth > 0);
}"""


@pytest.fixture
def studio(django_user_model):
    team = Team.objects.create(name="Studio North")
    eddie = django_user_model.objects.create_user(username="eddie", password=PASSWORD)
    Membership.objects.create(team=team, user=eddie, role=Role.EDITOR)
    kling = ProviderAccount.objects.create(team=team, dialect="kling", sandbox=True,
                                           label="Sandbox Kling (official API)")
    submitted = Storyboard.objects.create(team=team, title=TITLE, account=kling, model="v3",
                                          mode="pro", created_by=eddie)
    finished = timezone.now() - timedelta(hours=2)
    job = Job.objects.create(team=team, storyboard=submitted, account=kling, created_by=eddie,
                             submit_key="first", dialect="kling", model="v3", title=TITLE,
                             snapshot={}, state="succeeded", created_at=finished,
                             finished_at=finished)
    poster = default_storage.save(f"clips/{team.pk}/{job.pk}.jpg",
                                  ContentFile(jpeg(1280, 720, color=(200, 60, 40))))
    Clip.objects.create(job=job, team=team, file=f"clips/{team.pk}/{job.pk}.mp4", poster=poster,
                        width=1280, height=720, seconds=6, byte_size=1, sha256="0" * 64,
                        created_at=finished)
    draft = Storyboard.objects.create(team=team, title=TITLE, created_by=eddie)
    Slot.objects.create(storyboard=draft, name="image_1",
                        image=make_image(team, eddie, name="quay.png", color=(40, 90, 200)))
    Storyboard.objects.create(team=team, title="Empty pier", created_by=eddie)
    for board in Storyboard.objects.all():
        Shot.objects.bulk_create(Shot(storyboard=board, position=n, prompt="Boats", duration="3")
                                 for n in range(2))
    return team


def test_two_storyboards_with_the_same_title_are_told_apart(live_server, page, shots_dir,
                                                            studio):
    signing.sign_in(page, live_server, "eddie", PASSWORD, "/storyboards/")
    expect(page.get_by_role("heading", name="Storyboards")).to_be_visible()
    rows = page.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE))
    expect(rows).to_have_count(2)
    submitted = rows.filter(has_text="Sandbox Kling (official API) · v3 · pro")
    draft = rows.filter(has_text="Local preview (animatic)")
    expect(submitted.get_by_role("img", name="Poster of the latest clip")).to_be_visible()
    expect(submitted).to_contain_text("Succeeded · 2 h ago")
    expect(draft.get_by_role("img", name="Reference image quay")).to_be_visible()
    expect(draft).to_contain_text("No jobs yet")
    page.wait_for_function(ALL_PICTURES_LOADED)
    assert page.locator("#board-list img").count() == 2  # the empty pier has no <img> at all
    empty = page.get_by_role("row").filter(has=page.get_by_role("link", name="Empty pier"))
    expect(empty.get_by_role("img")).to_have_count(0)
    # Each row's controls still say which storyboard they act on.
    expect(page.get_by_role("button", name=f"Duplicate {TITLE}")).to_have_count(2)
    expect(page.get_by_role("button", name="Duplicate Empty pier")).to_have_count(1)
    page.screenshot(path=os.path.join(shots_dir, "storyboards-list-rows.png"))

    page.get_by_label("Search titles").fill("harbour")
    expect(page.get_by_role("link", name="Empty pier")).to_have_count(0)
    expect(rows).to_have_count(2)
    expect(submitted.get_by_role("img", name="Poster of the latest clip")).to_be_visible()
    expect(draft.get_by_role("img", name="Reference image quay")).to_be_visible()
    page.wait_for_function(ALL_PICTURES_LOADED)
