"""Team settings → Usage at 1280×720, as an owner reads it: the spend, seconds and outcomes per
week drawn as SVG with the table beside them, per account and per person, failures by kind; the
80 % notice of the team's cap; a different period; the team's cap changed. No script is needed
and nothing breaks the Content-Security-Policy."""

import os
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from browser import signing
from django.utils import timezone
from playwright.sync_api import expect

from storyboard.boards.models import RateCard
from storyboard.jobs.models import Clip, Job
from storyboard.teams.accounts import AccountInput, add_account
from storyboard.teams.actions import ensure_demo
from storyboard.teams.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-password-for-browser"
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def _history(team, demo, django_user_model):
    mara = django_user_model.objects.create_user("mara", password=PASSWORD)
    Membership.objects.create(team=team, user=mara, role="editor")
    kling = add_account(team, AccountInput("kling", "Studio Kling", {"access_key": "a",
                                                                      "secret_key": "s"}))
    apimart = add_account(team, AccountInput("apimart", "APIMart <backup>", {"api_key": "k"}))
    RateCard.objects.create(team=team, unit="USD", prices={"kling:v3:std": "0.10"})
    now = timezone.now()
    n = 0
    for week in range(12):
        for i in range(1 + (week * 7) % 5):
            n += 1
            state, failure = "succeeded", ""
            if n % 6 == 0:
                state, failure = "failed", ("moderation", "timed_out", "credits")[n // 6 % 3]
            when = now - timedelta(weeks=week, hours=i)
            job = Job.objects.create(
                team=team, account=kling if n % 3 else apimart, created_by=mara if n % 2 else demo,
                submit_key=f"b-{n}", dialect="kling", model="v3", title=f"Take {n}", snapshot={},
                planned_seconds=5 + n % 6, state=state, failure=failure, created_at=when,
                create_sent_at=when, estimated_cost=Decimal(5 + n % 6) / 10)
            if state == "succeeded":
                Clip.objects.create(job=job, team=team, file="clips/x.mp4", width=1280,
                                    height=720, seconds=5 + n % 6, byte_size=1, sha256="0" * 64)
    return kling


def test_an_owner_reads_the_usage_page_and_sets_the_cap(live_server, page, shots_dir,
                                                        django_user_model):
    team, demo = ensure_demo(password=PASSWORD)
    _history(team, demo, django_user_model)
    month = Job.objects.filter(team=team, created_at__gte=timezone.localtime().replace(
        day=1, hour=0, minute=0, second=0, microsecond=0)).exclude(state="failed")
    spent = sum(j.estimated_cost for j in month)
    team.monthly_cap = (spent / Decimal("0.85")).quantize(Decimal("0.01"))  # 85 % used
    team.save()

    page.add_init_script(RECORD_VIOLATIONS)
    signing.sign_in(page, live_server, "demo", PASSWORD, "/team/")
    page.get_by_role("link", name="Usage").click()
    expect(page.get_by_role("heading", name=re.compile("^Usage"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="of the team's cap")).to_be_visible()

    week_chart = page.get_by_role("img", name=re.compile("^Estimated spend per week, the last "
                                                         "12 weeks"))
    expect(week_chart).to_be_visible()
    box = week_chart.bounding_box()
    assert box["width"] > 400 and box["height"] > 100  # drawn at size, not collapsed
    assert page.locator("#svg-spend-weeks title").first.text_content() == (
        "Estimated spend per week")
    tips = page.locator("#svg-spend-weeks g.col > title").all_text_contents()
    assert len(tips) == 12 and all(t.startswith("Week of ") and "USD estimated" in t
                                   for t in tips)
    expect(page.get_by_role("img", name=re.compile("^Jobs per week by outcome"))).to_be_visible()
    table = page.get_by_role("table", name="Per week")
    expect(table.get_by_role("row")).to_have_count(13)  # a header and 12 weeks
    expect(page.get_by_role("table", name="Per account")).to_contain_text("APIMart <backup>")
    expect(page.get_by_role("table", name="Per person")).to_contain_text("mara")
    expect(page.get_by_role("table", name="Failures by kind")).to_contain_text(
        "Refused by content moderation")
    page.screenshot(path=os.path.join(shots_dir, "usage-1280x720.png"))
    page.screenshot(path=os.path.join(shots_dir, "usage-full.png"), full_page=True)

    page.get_by_label("Period").select_option("4")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table", name="Per week").get_by_role("row")).to_have_count(5)
    assert "weeks=4" in page.url

    page.get_by_label("Team monthly cap").fill("-5")
    page.get_by_role("button", name="Save team cap").click()
    expect(page.get_by_role("alert").filter(has_text="Team monthly cap: Ensure this value is "
                                                     "greater than or equal to 0.")).to_be_visible()
    page.get_by_label("Team monthly cap").fill("5000")
    page.get_by_role("button", name="Save team cap").click()
    expect(page.get_by_text("Team monthly cap saved: 5000.00 USD.")).to_be_visible()
    team.refresh_from_db()
    assert team.monthly_cap == Decimal(5000)
    assert page.evaluate("window.__csp") == []
