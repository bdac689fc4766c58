"""Team settings → API tokens and → Webhooks, as an owner uses them: make a token, copy it, use
it from a script, revoke it; add a webhook (a bad address refused first), send a test event to
a receiver on this machine and see it delivered, signed with the secret the page showed once."""

import json
import os
import re

import httpx
import pytest
from browser import signing
from playwright.sync_api import expect
from webhooks.receiver import receiving

from storyboard.teams.actions import ensure_demo
from storyboard.webhooks import sending
from storyboard.webhooks import signing as webhook_signing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-password-for-browser"


def test_an_owner_makes_a_token_uses_it_from_a_script_and_revokes_it(live_server, page,
                                                                     shots_dir):
    ensure_demo(password=PASSWORD)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=live_server.url)
    signing.sign_in(page, live_server, "demo", PASSWORD, "/team/")
    page.get_by_role("link", name="Manage API tokens").click()
    expect(page.get_by_role("heading", name=re.compile("^API tokens"))).to_be_visible()

    # An empty name is stopped by the browser at the field; nothing is made.
    page.get_by_role("button", name="Make token").click()
    assert page.get_by_label("Name").evaluate("e => e.validationMessage")
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    page.get_by_label("Name").fill("render farm")
    page.get_by_role("button", name="Make token").click()

    box = page.get_by_role("textbox", name="The token")
    expect(box).to_have_value(re.compile(r"^sbt_"))
    page.get_by_role("button", name="Copy the API token").click()
    expect(page.get_by_text("Copied", exact=True)).to_be_visible()
    token = page.evaluate("navigator.clipboard.readText()")
    assert token == box.input_value()
    page.screenshot(path=os.path.join(shots_dir, "api-token-made.png"), full_page=True)

    api = f"{live_server.url}/api/v1/storyboards"
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(api, headers=headers).json() == {"items": [], "next": None}

    page.reload()  # shown once: a reload no longer shows it, the table lists it as used
    expect(page.get_by_role("textbox", name="The token")).to_have_count(0)
    row = page.get_by_role("row", name=re.compile("render farm"))
    expect(row).to_contain_text("demo (owner)")
    expect(row).not_to_contain_text("never")

    page.get_by_role("button", name="Revoke the token render farm").click()
    expect(page.get_by_role("status").first).to_contain_text("revoked")
    refused = httpx.get(api, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/json")


@pytest.fixture
def deliveries_sent_at_once(monkeypatch):
    """The worker's task, run in the live server's thread when the app queues it."""
    monkeypatch.setattr("storyboard.webhooks.events.async_task",
                        lambda func, delivery_id: sending.send_delivery(delivery_id))


def test_an_owner_adds_a_webhook_and_sees_a_signed_test_event_delivered(
        live_server, page, shots_dir, settings, deliveries_sent_at_once):
    ensure_demo(password=PASSWORD)
    signing.sign_in(page, live_server, "demo", PASSWORD, "/team/")
    page.get_by_role("link", name="Manage webhooks").click()
    expect(page.get_by_role("heading", name=re.compile("^Webhooks"))).to_be_visible()

    # A plain-http internet address is refused, naming the rule.
    page.get_by_label("URL").fill("http://example.com/hooks")
    page.get_by_label(re.compile(r"clip\.ready —")).check()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_role("alert")).to_contain_text("URL: Must start with https://")
    expect(page.get_by_text("No webhooks yet.")).to_be_visible()

    settings.STORYBOARD_WEBHOOKS_ALLOW_LOOPBACK = True  # the operator allows a local receiver
    with receiving() as receiver:
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label(re.compile(r"clip\.ready —")).check()
        page.get_by_role("button", name="Add webhook").click()
        secret = page.get_by_label("Secret of the new webhook").input_value()
        assert secret
        page.get_by_role("button", name=f"Send a test event to {receiver.url}").click()
        expect(page.get_by_role("status").first).to_contain_text("test event")
        page.reload()
        hook = page.get_by_role("article", name=f"Webhook to {receiver.url}")
        expect(hook.get_by_role("table", name="Last deliveries")).to_contain_text("Delivered")
        expect(hook).to_contain_text("200")
        page.screenshot(path=os.path.join(shots_dir, "webhook-delivered.png"), full_page=True)

    [got] = receiver.received
    webhook_signing.verify(secret, got.body, got.headers["X-Storyboard-Timestamp"],
                           got.headers["X-Storyboard-Signature"])
    assert json.loads(got.body)["event"] == "ping"
