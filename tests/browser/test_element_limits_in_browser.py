"""The element form says a name is too long while it is typed or pasted, instead of cutting it."""

import pytest
from browser import signing
from playwright.sync_api import expect

from storyboard.library.models import Element
from storyboard.teams.actions import ensure_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_long_name_is_kept_and_warned_about_with_the_limit(live_server, page):
    ensure_demo(password="demo-password-for-browser")
    signing.sign_in(page, live_server, "demo", "demo-password-for-browser",
                    "/library/elements/new/?kind=image")

    name = page.get_by_label("Name", exact=True)
    name.fill("Mara the red-coated courier")
    # Nothing cut: all 27 characters stay in the field, and the limit is named.
    expect(name).to_have_value("Mara the red-coated courier")
    warning = "Name: at most 20 characters (this one has 27)."
    expect(page.get_by_role("status").filter(has_text=warning)).to_be_visible()
    expect(name).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Tag").select_option("character")
    page.get_by_role("button", name="Create element").click()
    assert name.evaluate("field => field.validationMessage") == warning
    assert Element.objects.count() == 0

    name.fill("Mara")
    expect(page.get_by_text(warning)).to_have_count(0)
    expect(name).not_to_have_attribute("aria-invalid", "true")

    page.get_by_label("Description").fill("d" * 101)
    expect(page.get_by_role("status").filter(
        has_text="Description: at most 100 characters (this one has 101).")).to_be_visible()
