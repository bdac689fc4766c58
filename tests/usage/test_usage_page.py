"""The Usage page: seconds generated, estimated spend, successes and failures by kind, per week,
per account and per person over a chosen period, added up in the database; drawn as SVG with
the same figures in tables; the team's monthly cap is set there."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storyboard.jobs.models import Clip, Job
from storyboard.teams.accounts import AccountInput, add_account
from storyboard.usage import report, svg

UTC = ZoneInfo("UTC")
NOW = datetime(2025, 6, 18, 12, 0, tzinfo=UTC)  # a Wednesday; its week starts Monday 16 June


def _job(cast, account, user, when, *, cost="0.50", state="succeeded", failure="",
         seconds=5.0, dialect="kling"):
    job = Job.objects.create(
        team=cast.team_a, account=account, created_by=user,
        submit_key=f"u-{Job.objects.count()}", dialect=dialect, model="v3", title="Take",
        snapshot={}, planned_seconds=5, state=state, failure=failure, created_at=when,
        create_sent_at=when, estimated_cost=None if cost is None else Decimal(cost))
    if state == "succeeded":
        Clip.objects.create(job=job, team=cast.team_a, file="clips/x.mp4", width=1280,
                            height=720, seconds=seconds, byte_size=1, sha256="0" * 64)
    return job


@pytest.fixture
def history(cast, kling):
    return _history(cast, kling, NOW)


def _history(cast, kling, now):
    """Paid jobs of team A in the week of `now` and the week before, and some left out."""
    other = add_account(cast.team_a, AccountInput("apimart", "Backup <APIMart>",
                                                  {"api_key": "k"}))
    this_week, last_week = now - timedelta(days=1), now - timedelta(days=8)
    _job(cast, kling, cast.editor, this_week, cost="1.00", seconds=10)
    _job(cast, kling, cast.owner, this_week, cost="0.50", seconds=5)
    _job(cast, kling, cast.editor, this_week, cost="0.50", state="failed", failure="moderation")
    _job(cast, other, cast.editor, last_week, cost="2.00", seconds=8)
    _job(cast, other, cast.owner, last_week, cost="2.00", state="failed", failure="moderation")
    _job(cast, other, cast.owner, last_week, cost="1.00", state="failed", failure="timed_out")
    _job(cast, kling, cast.editor, last_week, cost=None, seconds=3)  # no price then
    _job(cast, None, cast.editor, this_week, cost="0", dialect="animatic")  # free: left out
    _job(cast, kling, cast.editor, now - timedelta(weeks=5), cost="9.00")  # before the period
    # Another team's job in the same week: never counted.
    Job.objects.create(team=cast.team_b, created_by=cast.outsider, submit_key="b",
                       dialect="kling", model="v3", title="Theirs", snapshot={},
                       state="succeeded", created_at=this_week, estimated_cost=Decimal(50))
    return other


def test_figures_are_added_up_per_week_account_and_person(cast, kling, history):
    usage = report.build(cast.team_a, 4, now=NOW)
    assert [w.key.isoformat() for w in usage.weeks] == [
        "2025-05-26", "2025-06-02", "2025-06-09", "2025-06-16"]
    this, last = usage.weeks[-1], usage.weeks[-2]
    assert (this.jobs, this.succeeded, this.failed, this.seconds, this.spend) == (
        3, 2, 1, 15.0, Decimal("1.50"))  # the failed job's estimate is not spend
    assert (last.jobs, last.succeeded, last.failed, last.seconds, last.spend, last.unpriced) == (
        4, 2, 2, 11.0, Decimal("2.00"), 1)
    assert last.failure_text == "1 moderation, 1 timed out"
    assert usage.weeks[0].jobs == 0 and usage.weeks[1].jobs == 0
    assert [(a.label, a.jobs, a.spend, a.seconds) for a in usage.accounts] == [
        ("Backup <APIMart>", 3, Decimal("2.00"), 8.0), ("Studio Kling", 4, Decimal("1.50"), 18.0)]
    assert [(p.label, p.jobs, p.spend) for p in usage.people] == [
        ("eddie", 4, Decimal("3.00")), ("olivia", 3, Decimal("0.50"))]
    assert usage.failures == [("moderation", "Refused by content moderation", 2),
                              ("timed_out", "Timed out", 1)]
    assert (usage.total.jobs, usage.total.spend, usage.total.seconds) == (7, Decimal("3.50"), 26.0)


def test_the_longer_period_takes_the_older_job_in(cast, kling, history):
    assert report.build(cast.team_a, 12, now=NOW).total.spend == Decimal("12.50")


def test_the_figures_cost_the_same_few_queries_however_many_jobs(cast, kling, history):
    with CaptureQueriesContext(connection) as few:
        report.build(cast.team_a, 52, now=NOW)
    for n in range(30):
        _job(cast, kling, cast.viewer, NOW - timedelta(days=n), cost="0.10")
    with CaptureQueriesContext(connection) as many:
        report.build(cast.team_a, 52, now=NOW)
    assert len(many) == len(few) <= 5


def test_chart_labels_and_tooltips_are_escaped():
    drawn = svg.columns([svg.bar('<script>alert("x")</script>', 3, 'Tip & "quote" <b>')],
                        chart_id="c", title="A <title>", summary='Sum "mary" & <more>',
                        scale_text=str)
    assert "<script>" not in drawn and "<b>" not in drawn
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in drawn
    assert "<title>Tip &amp; &quot;quote&quot; &lt;b&gt;</title>" in drawn
    assert 'aria-label="Sum &quot;mary&quot; &amp; &lt;more&gt;"' in drawn
    assert 'role="img"' in drawn and "style=" not in drawn
    rows = svg.rows([svg.bar("Backup <APIMart>", 2, "Backup <APIMart>: 2")], chart_id="r",
                    title="t", summary="s", value_text=lambda b: "<2>")
    assert "Backup &lt;APIMart&gt;" in rows and "&lt;2&gt;" in rows and "<APIMart>" not in rows


def test_the_page_draws_each_chart_with_its_table(cast, kling, client_for, rate_card):
    from django.utils import timezone

    _history(cast, kling, timezone.now())
    response = client_for(cast.owner).get("/team/usage/?weeks=52")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == 6 and "style=" not in html
    assert 'aria-label="Estimated spend per week, the last 52 weeks: 12.50 USD in all.' in html
    assert "<title>Week of " in html
    for table in ("weeks-table", "accounts-table", "people-table", "failures-table"):
        assert f'id="{table}"' in html
    assert "Backup &lt;APIMart&gt;" in html and "<APIMart>" not in html
    assert "1 job had no price on the rate card when submitted" in html


def test_a_bad_period_names_the_field(cast, client_for):
    response = client_for(cast.owner).get("/team/usage/?weeks=7")
    assert response.status_code == 400
    assert "Period: choose the last 4, 12 or 52 weeks (got “7”)." in response.content.decode()


def test_the_page_is_for_owners(cast, client_for):
    assert client_for(cast.editor).get("/team/usage/").status_code == 403
    assert client_for(cast.owner).get("/team/").content.decode().count('href="/team/usage/"') == 1


def test_an_owner_sets_and_removes_the_team_cap(cast, client_for, rate_card):
    client = client_for(cast.owner, csrf=False)
    page = client.post("/team/usage/cap/", {"monthly_cap": "250.5"}, follow=True)
    assert "Team monthly cap saved: 250.50 USD." in page.content.decode()
    cast.team_a.refresh_from_db()
    assert cast.team_a.monthly_cap == Decimal("250.5")
    bad = client.post("/team/usage/cap/", {"monthly_cap": "-3"})
    assert bad.status_code == 400
    assert "Team monthly cap: Ensure this value is greater than or equal to 0." in (
        bad.content.decode())
    assert client.post("/team/usage/cap/", {"monthly_cap": "1.123456"}).status_code == 400
    client.post("/team/usage/cap/", {"monthly_cap": ""})
    cast.team_a.refresh_from_db()
    assert cast.team_a.monthly_cap is None


def test_an_account_cap_is_set_on_the_account_form(cast, kling, client_for):
    client = client_for(cast.owner)
    form = client.get(f"/team/accounts/{kling.pk}/edit/").content.decode()
    assert "Monthly spending cap" in form
    response = client.post(f"/team/accounts/{kling.pk}/edit/", {
        "dialect": "kling", "label": "Studio Kling", "max_jobs": 2, "monthly_cap": "40"})
    assert response.status_code == 302, response.content.decode()[:2000]
    kling.refresh_from_db()
    assert kling.monthly_cap == Decimal(40)
    bad = client.post(f"/team/accounts/{kling.pk}/edit/", {
        "dialect": "kling", "label": "Studio Kling", "max_jobs": 2, "monthly_cap": "lots"})
    assert bad.status_code == 400 and "Monthly spending cap: Enter a number." in (
        bad.content.decode())
