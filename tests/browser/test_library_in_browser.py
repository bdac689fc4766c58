import os
import re

import pytest
from browser import signing
from library.media_factory import jpeg, png
from playwright.sync_api import expect

from storyboard.library.models import ReferenceImage
from storyboard.teams.models import Membership, Team
from storyboard.teams.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_uploads_images_sees_thumbnails_and_a_refusal_and_makes_an_element(
        live_server, page, shots_dir, django_user_model):
    team = Team.objects.create(name="Studio North")
    user = django_user_model.objects.create_user(username="ines", password="pw-for-browser")
    Membership.objects.create(team=team, user=user, role=Role.EDITOR)

    signing.sign_in(page, live_server, "ines", "pw-for-browser", "/library/")
    expect(page.get_by_role("heading", name="Library")).to_be_visible()

    page.get_by_label("Choose images or videos").set_input_files([
        {"name": "mara front.png", "mimeType": "image/png",
         "buffer": png(900, 1200, color=(180, 90, 60))},
        {"name": "mara side.jpg", "mimeType": "image/jpeg",
         "buffer": jpeg(1200, 900, color=(60, 90, 180))},
        {"name": "thumbnail.jpg", "mimeType": "image/jpeg", "buffer": jpeg(299, 600)},
    ])
    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads).to_contain_text("Added “mara front”.")
    expect(uploads).to_contain_text("Added “mara side”.")
    expect(uploads.get_by_role("alert")).to_contain_text(
        "Refused: JPEG is 299 × 600 px: the shorter side must be at least 300 px")
    # The grid refreshes itself with the two thumbnails, loaded from the media view.
    thumb = page.get_by_role("img", name="mara front")
    expect(thumb).to_be_visible()
    expect(page.get_by_role("img", name="mara side")).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#image-grid img')].every(i => i.naturalWidth > 0)")
    assert page.locator("#image-grid img").count() == 2
    page.screenshot(path=os.path.join(shots_dir, "library-uploads.png"), full_page=True)

    page.get_by_role("link", name="New image element", exact=True).click()
    expect(page.get_by_role("heading", name="New image element")).to_be_visible()
    page.get_by_label("Name").fill("Mara")
    page.get_by_label("Tag").select_option("character")
    page.get_by_label("Description").fill("Red coat, thirties, short dark hair")
    front = ReferenceImage.objects.get(name="mara front")
    side = ReferenceImage.objects.get(name="mara side")
    page.locator(f"label[for=frontal-{front.pk}]").click()
    page.locator(f"label[for=extra-{side.pk}]").click()
    page.screenshot(path=os.path.join(shots_dir, "library-element-form.png"), full_page=True)
    page.get_by_role("button", name="Create element").click()

    expect(page).to_have_url(re.compile(r"/library/elements/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Element “Mara” created.")
    expect(page.get_by_role("heading", name=re.compile("^Mara"))).to_be_visible()
    expect(page.get_by_role("listitem", name="Version 1")).to_contain_text("frontal")
    expect(page.get_by_role("img", name="mara side")).to_be_visible()
    page.screenshot(path=os.path.join(shots_dir, "library-element.png"), full_page=True)

    page.get_by_role("link", name="← Library").click()
    expect(page.get_by_text("Character · image element · v1")).to_be_visible()
