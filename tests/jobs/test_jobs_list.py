"""The Jobs page a page at a time: 24 cards and a link to older ones, keyset-paginated so that a
job never shows twice, the order holds when jobs share a timestamp, and a page costs the same
few queries however many jobs and clips the team has."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from storyboard.jobs.models import Clip, Job
from storyboard.jobs.views import JOBS_PAGE_SIZE

SNAPSHOT = {"title": "Listed", "multi_shot": True, "target": {"dialect": "animatic", "model": "v3"},
            "shots": [{"prompt": "A", "duration": 3}, {"prompt": "B", "duration": 3}]}


def make_jobs(team, user, n, *, at=None, state="succeeded", clips=True, spread=True):
    """`n` jobs of `team`, newest last; all at the same instant unless `spread`."""
    at = at or timezone.now()
    jobs = Job.objects.bulk_create([
        Job(team=team, created_by=user, dialect="animatic", model="v3", title=f"Job {i:03d}",
            submit_key=f"list-{team.pk}-{Job.objects.count()}-{i}", state=state,
            snapshot=SNAPSHOT, planned_seconds=6,
            created_at=at - timedelta(seconds=n - i) if spread else at)
        for i in range(n)])
    if clips:
        Clip.objects.bulk_create([
            Clip(job=job, team=team, file=f"clips/{job.pk}.mp4", poster=f"clips/{job.pk}.jpg",
                 width=1280, height=720, seconds=6, byte_size=1, sha256="0" * 64)
            for job in jobs])
    return jobs


def card_ids(html: str) -> list[str]:
    return re.findall(r'<article class="job-card[^"]*" id="job-([0-9a-f-]+)"', html)


def next_url(html: str) -> str | None:
    found = re.search(r'<a class="button secondary" href="(\?after=[^"]+)"', html)
    return found and found.group(1).replace("&amp;", "&")


def test_the_jobs_page_shows_24_cards_and_a_link_to_the_next_24(cast, client_for):
    make_jobs(cast.team_a, cast.editor, 60)
    client = client_for(cast.viewer)
    first = client.get("/jobs/").content.decode()
    ids = card_ids(first)
    assert len(ids) == JOBS_PAGE_SIZE == 24
    titles = re.findall(r'<h3 id="job-title-[^"]+"><a href="[^"]+">([^<]+)</a>', first)
    assert titles == [f"Job {i:03d}" for i in range(59, 35, -1)]  # newest first
    more = next_url(first)
    assert more and ">Older jobs</a>" in first

    # htmx asks for the next cards alone, with the link after them.
    second = client.get(f"/jobs/{more}", HTTP_HX_REQUEST="true").content.decode()
    assert "<h1>" not in second
    second_ids = card_ids(second)
    assert len(second_ids) == 24 and not set(ids) & set(second_ids)
    # Without JavaScript the same link opens the next page as a page of its own.
    page = client.get(f"/jobs/{more}").content.decode()
    assert card_ids(page) == second_ids and "Older jobs</h2>" in page
    assert "Back to the latest jobs" in page

    third = client.get(f"/jobs/{next_url(second)}", HTTP_HX_REQUEST="true").content.decode()
    assert len(card_ids(third)) == 12 and next_url(third) is None
    everything = ids + second_ids + card_ids(third)
    assert len(set(everything)) == 60


def test_jobs_sharing_a_timestamp_keep_one_order_across_pages(cast, client_for):
    jobs = make_jobs(cast.team_a, cast.editor, 50, spread=False, clips=False)
    client = client_for(cast.viewer)
    seen, url = [], "/jobs/"
    while url:
        html = client.get(url, HTTP_HX_REQUEST="true" if seen else None).content.decode()
        seen += card_ids(html)
        more = next_url(html)
        url = f"/jobs/{more}" if more else None
    assert len(seen) == 50 and len(set(seen)) == 50
    assert seen == sorted((str(j.pk) for j in jobs), reverse=True)  # ties: newest id first


def test_a_job_arriving_meanwhile_shifts_no_page(cast, client_for):
    make_jobs(cast.team_a, cast.editor, 30)
    client = client_for(cast.viewer)
    first = client.get("/jobs/").content.decode()
    make_jobs(cast.team_a, cast.editor, 5, at=timezone.now() + timedelta(minutes=1))
    second = client.get(f"/jobs/{next_url(first)}", HTTP_HX_REQUEST="true").content.decode()
    assert len(card_ids(second)) == 6 and not set(card_ids(first)) & set(card_ids(second))


def test_a_running_job_on_the_second_page_still_polls(cast, client_for):
    make_jobs(cast.team_a, cast.editor, 1, state="processing", clips=False,
              at=timezone.now() - timedelta(hours=1))
    make_jobs(cast.team_a, cast.editor, 24)
    client = client_for(cast.viewer)
    more = next_url(client.get("/jobs/").content.decode())
    second = client.get(f"/jobs/{more}", HTTP_HX_REQUEST="true").content.decode()
    (running,) = card_ids(second)
    assert f'hx-get="/jobs/{running}/status/" hx-trigger="every 2s"' in second
    assert client.get(f"/jobs/{running}/status/", HTTP_HX_REQUEST="true").status_code == 200


def test_another_teams_jobs_never_show_and_a_bad_cursor_shows_the_first_page(cast, client_for):
    make_jobs(cast.team_a, cast.editor, 3)
    theirs = make_jobs(cast.team_b, cast.outsider, 3)
    client = client_for(cast.viewer)
    html = client.get("/jobs/").content.decode()
    assert len(card_ids(html)) == 3 and not {str(j.pk) for j in theirs} & set(card_ids(html))
    for bad in ("nonsense", "1_2", "99999999999999999999_x", f"1_{'f' * 40}"):
        response = client.get("/jobs/", {"after": bad})
        assert response.status_code == 200 and len(card_ids(response.content.decode())) == 3


@pytest.mark.parametrize("hx", [False, True], ids=["page", "htmx"])
def test_a_page_costs_the_same_queries_however_many_jobs(cast, client_for, hx):
    client = client_for(cast.viewer)
    headers = {"HTTP_HX_REQUEST": "true"} if hx else {}

    def queries_for_second_page() -> int:
        more = next_url(client.get("/jobs/").content.decode())
        with CaptureQueriesContext(connection) as seen:
            assert client.get(f"/jobs/{more}", **headers).status_code == 200
        return len(seen)

    make_jobs(cast.team_a, cast.editor, 30)
    few = queries_for_second_page()
    make_jobs(cast.team_a, cast.editor, 90, at=timezone.now() - timedelta(days=1))
    assert queries_for_second_page() == few
    with CaptureQueriesContext(connection) as seen:
        client.get("/jobs/", **headers)
    assert len(seen) <= few + 1  # the first page adds the accounts' load, once


def test_the_players_of_a_page_wait_for_play_behind_their_posters(cast, client_for):
    jobs = make_jobs(cast.team_a, cast.editor, 30)
    html = client_for(cast.viewer).get("/jobs/").content.decode()
    tags = re.findall(r"<video\b[^>]*>", html, flags=re.S)
    assert len(tags) == 24
    for tag in tags:
        assert 'preload="none"' in tag and re.search(r'poster="/jobs/clips/\d+/poster/"', tag)
    assert len(re.findall(r'id="job-[0-9a-f-]+"', html)) == 24  # each card once
    assert str(jobs[0].pk) not in html  # the oldest are on the next page
