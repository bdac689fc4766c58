"""The storyboards list tells boards apart: each row shows a small picture (the latest clip's
poster, else the first reference in slot order, else a neutral placeholder), the target and
the last job's state with its time — only the team's own jobs and clips, in the same number
of queries however many rows there are."""

import re
from datetime import timedelta

import pytest
from clip_fixtures import make_clip  # noqa: F401  (shared fixture)
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from library.media_factory import (
    make_image,
    make_image_element,
    make_video,
    make_video_element,
    share,
)

from storyboard.boards.listing import ago
from storyboard.boards.models import Slot, Storyboard
from storyboard.boards.state import _FACTS
from storyboard.jobs.models import Clip, Job
from storyboard.teams.models import ProviderAccount

ROW = re.compile(r"<tr>\s*<td class=\"thumb-cell\">.*?</tr>", re.S)


def rows(html: str) -> list[str]:
    return ROW.findall(html)


def picture(row: str) -> str:
    """The row's picture as `src|alt`, or "placeholder"."""
    img = re.search(r'<img class="board-thumb" src="([^"]+)" alt="([^"]*)"', row)
    if img:
        return f"{img[1]}|{img[2]}"
    assert 'class="board-thumb placeholder" aria-hidden="true"' in row
    return "placeholder"


def cell(row: str, name: str) -> str:
    found = re.search(rf'<td class="{name}">(.*?)</td>', row, re.S)
    return re.sub(r"<[^>]+>", "", found[1]).strip()


def page_rows(client, **params) -> list[str]:
    response = client.get("/storyboards/", params)
    assert response.status_code == 200
    return rows(response.content.decode())


def job(board, state, *, team=None, age=timedelta(0), key=None, **fields):
    created = timezone.now() - age
    return Job.objects.create(
        team=team or board.team, storyboard=board, submit_key=key or f"{board.pk}-{state}-{age}",
        state=state, dialect="animatic", model="v3", title=board.title, snapshot={},
        created_at=created, updated_at=created, **fields)


@pytest.fixture
def kling(cast):
    return ProviderAccount.objects.create(team=cast.team_a, dialect="kling",
                                          label="Sandbox Kling (official API)", sandbox=True)


def test_two_boards_with_the_same_title_differ_by_picture_target_and_last_job(
        cast, client_for, make_clip, kling, stove):  # noqa: F811
    submitted = Storyboard.objects.create(team=cast.team_a, title="Kitchen", account=kling,
                                          model="v3", mode="pro")
    clip = make_clip(storyboard=submitted, age=timedelta(hours=2))
    clip.job.finished_at = timezone.now() - timedelta(hours=2)
    clip.job.save()
    draft = Storyboard.objects.create(team=cast.team_a, title="Kitchen", model="o1")
    Slot.objects.create(storyboard=draft, name="image_1", image=stove)
    first, second = page_rows(client_for(cast.viewer), sort="title")
    assert picture(first) == f"/jobs/clips/{clip.pk}/poster/|Poster of the latest clip"
    assert cell(first, "target") == "Sandbox Kling (official API) · v3 · pro"
    assert cell(first, "last-job") == "Succeeded · 2 h ago"
    assert picture(second) == f"/library/images/{stove.pk}/256|Reference image stove"
    assert cell(second, "target") == "Local preview (animatic)"
    assert cell(second, "last-job") == "No jobs yet"


def test_the_pictures_it_shows_are_served_to_a_viewer(cast, client_for, board, stove, chef):
    Slot.objects.create(storyboard=board, name="image_1", image=stove)
    other = Storyboard.objects.create(team=cast.team_a, title="Chef only")
    Slot.objects.create(storyboard=other, name="element_1", element_version=chef.current_version)
    runner = make_video_element(cast.team_a, cast.editor, name="Runner").current_version
    third = Storyboard.objects.create(team=cast.team_a, title="Runner only")
    Slot.objects.create(storyboard=third, name="element_1", element_version=runner)
    client = client_for(cast.viewer)
    shown = [picture(r) for r in page_rows(client, sort="title")]
    # A video element has no picture of its own: its poster frame.
    assert shown[2] == f"/library/elements/versions/{runner.pk}/poster|Element Runner"
    urls = [p.split("|")[0] for p in shown]
    assert len(urls) == 3
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("image/")


def test_the_latest_succeeded_clip_with_a_poster_is_the_picture(cast, client_for, make_clip,  # noqa: F811
                                                                board, stove):
    Slot.objects.create(storyboard=board, name="image_1", image=stove)
    older = make_clip(storyboard=board, age=timedelta(days=2))
    newer = make_clip(storyboard=board, age=timedelta(days=1))
    not_succeeded = make_clip(storyboard=board)  # the newest, but its job did not succeed
    Job.objects.filter(pk=not_succeeded.job_id).update(state="failed")
    Clip.objects.create(job=job(board, "succeeded", key="no-poster"), team=board.team,
                        file="clips/np.mp4", poster="", width=1, height=1, seconds=1,
                        byte_size=1, sha256="0" * 64)  # a clip without a poster frame either
    (row,) = page_rows(client_for(cast.viewer))
    assert picture(row).startswith(f"/jobs/clips/{newer.pk}/poster/")
    newer.delete()
    (row,) = page_rows(client_for(cast.viewer))
    assert picture(row).startswith(f"/jobs/clips/{older.pk}/poster/")


def test_without_a_clip_the_first_reference_in_slot_order_is_the_picture(cast, client_for,
                                                                        board, chef):
    video = make_video(cast.team_a, cast.editor, name="pan.mp4")
    second = make_image(cast.team_a, cast.editor, name="second.png")
    tenth = make_image(cast.team_a, cast.editor, name="tenth.png")
    Slot.objects.create(storyboard=board, name="video_1", video=video)
    Slot.objects.create(storyboard=board, name="element_1", element_version=chef.current_version)
    Slot.objects.create(storyboard=board, name="image_10", image=tenth)
    Slot.objects.create(storyboard=board, name="image_2", image=second)
    client = client_for(cast.viewer)
    (row,) = page_rows(client)
    assert picture(row) == f"/library/images/{second.pk}/256|Reference image second"
    Slot.objects.filter(image__isnull=False).delete()
    (row,) = page_rows(client)
    frontal = chef.current_version.frontal
    assert picture(row) == f"/library/images/{frontal.pk}/256|Element Chef"
    Slot.objects.filter(element_version__isnull=False).delete()
    (row,) = page_rows(client)
    assert picture(row) == f"/library/videos/{video.pk}/poster|Reference video pan"
    Slot.objects.all().delete()
    (row,) = page_rows(client)
    assert picture(row) == "placeholder" and "<img" not in row


def test_an_element_no_longer_shared_is_passed_over_not_shown_broken(cast, client_for, board,
                                                                    stove):
    theirs = make_image_element(cast.team_b, cast.outsider, name="Guest")
    shared = share(cast.team_b, cast.team_a)
    Slot.objects.create(storyboard=board, name="element_1",
                        element_version=theirs.current_version)
    client = client_for(cast.viewer)
    (row,) = page_rows(client)
    assert picture(row).endswith("|Element Guest")
    shared.revoked_at = timezone.now()
    shared.save()
    (row,) = page_rows(client)
    assert picture(row) == "placeholder"
    Slot.objects.create(storyboard=board, name="video_1",
                        video=make_video(cast.team_a, cast.editor, name="pan.mp4"))
    (row,) = page_rows(client)
    assert picture(row).endswith("|Reference video pan")


@pytest.mark.parametrize(("state", "fields", "shown"), [
    ("succeeded", {"finished_at": timedelta(minutes=5)}, "Succeeded · 5 min ago"),
    ("failed", {"finished_at": timedelta(days=3)}, "Failed · 3 d ago"),
    ("cancelled", {}, "Cancelled · 1 h ago"),
    ("processing", {"submitted_at": timedelta(minutes=2)}, "Running · 2 min ago"),
    ("submitting", {}, "Running · 1 h ago"),
    ("queued", {}, "Queued · 1 h ago"),
])
def test_the_last_job_says_its_state_and_when(cast, client_for, board, state, fields, shown):
    job(board, "succeeded", age=timedelta(days=40), key="older")  # not the last one
    now = timezone.now()
    job(board, state, age=timedelta(hours=1), **{k: now - v for k, v in fields.items()})
    (row,) = page_rows(client_for(cast.viewer))
    assert cell(row, "last-job") == shown
    assert re.search(r'<time datetime="[^"]+" title="\d+ \w+ \d{4}, \d\d:\d\d">', row)


def test_another_teams_jobs_and_clips_never_show(cast, client_for, make_clip, board):  # noqa: F811
    # Rows no page writes, but the list must not trust that a job's team is its board's.
    make_clip(team=cast.team_b, storyboard=board)
    job(board, "failed", team=cast.team_b, key="theirs")
    (row,) = page_rows(client_for(cast.viewer))
    assert picture(row) == "placeholder" and cell(row, "last-job") == "No jobs yet"
    assert page_rows(client_for(cast.outsider)) == []


def test_search_and_sort_keep_each_rows_own_picture_and_job(cast, client_for, make_clip,  # noqa: F811
                                                          stove):
    a = Storyboard.objects.create(team=cast.team_a, title="Alpha kitchen")
    clip = make_clip(storyboard=a)
    b = Storyboard.objects.create(team=cast.team_a, title="Beta kitchen")
    Slot.objects.create(storyboard=b, name="image_1", image=stove)
    job(b, "failed", key="b-failed")
    Storyboard.objects.create(team=cast.team_a, title="Garden")
    client = client_for(cast.viewer)
    for params in ({"q": "kitchen", "sort": "title"}, {"q": "KITCHEN", "sort": "oldest"}):
        found = {re.search(r'<a href="/storyboards/\d+/">([^<]+)</a>', r)[1]: r
                 for r in page_rows(client, **params)}
        assert set(found) == {"Alpha kitchen", "Beta kitchen"}
        assert picture(found["Alpha kitchen"]).startswith(f"/jobs/clips/{clip.pk}/poster/")
        assert cell(found["Alpha kitchen"], "last-job").startswith("Succeeded")
        assert picture(found["Beta kitchen"]).startswith(f"/library/images/{stove.pk}/256")
        assert cell(found["Beta kitchen"], "last-job").startswith("Failed")
    response = client.get("/storyboards/", {"q": "beta"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="board-list")
    (row,) = rows(response.content.decode())
    assert cell(row, "last-job").startswith("Failed")


def test_pictures_load_lazily_with_their_size_and_controls_keep_their_labels(
        cast, client_for, board, stove):
    Slot.objects.create(storyboard=board, name="image_1", image=stove)
    html = client_for(cast.editor).get("/storyboards/").content.decode()
    (img,) = re.findall(r"<img class=\"board-thumb\"[^>]*>", html)
    assert 'loading="lazy"' in img and 'width="80"' in img and 'height="45"' in img
    assert 'alt="Reference image stove"' in img
    (row,) = rows(html)
    assert cell(row, "shots") == "2"
    assert 'aria-label="Duplicate Kitchen"' in html and 'aria-label="Delete Kitchen"' in html
    assert '<span class="sr-only">Picture</span>' in html


def _fill(team, editor, stove, chef, video, kling, make_clip, n):  # noqa: F811
    """n boards of each kind: with a clip, an image, an element, a video, nothing at all."""
    for i in range(n):
        with_clip = Storyboard.objects.create(team=team, title=f"Clip {i}", account=kling)
        make_clip(storyboard=with_clip)
        for name, field, item in (("image_1", "image", stove),
                                  ("element_1", "element_version", chef.current_version),
                                  ("video_1", "video", video)):
            board = Storyboard.objects.create(team=team, title=f"{field} {i}")
            Slot.objects.create(storyboard=board, name=name, **{field: item})
            job(board, "failed")
        Storyboard.objects.create(team=team, title=f"Empty {i}")
    extra = Storyboard.objects.create(team=team, title=f"Extra element {n}")
    Slot.objects.create(storyboard=extra, name="element_1", element_version=make_image_element(
        team, editor, name=f"Extra {n}").current_version)


@pytest.mark.parametrize("params", [{}, {"q": "1", "sort": "title"}],
                         ids=["plain", "searched"])
def test_the_list_costs_the_same_queries_for_n_and_3n_rows(cast, client_for, make_clip,  # noqa: F811
                                                          kling, stove, chef, params):
    video = make_video(cast.team_a, cast.editor, name="pan.mp4")
    client = client_for(cast.viewer)
    client.get("/storyboards/")  # the first visit also saves the session's team: not the list

    def queries() -> int:
        _FACTS.clear()  # the element pictures as a fresh process reads them
        with CaptureQueriesContext(connection) as seen:
            assert client.get("/storyboards/", params).status_code == 200
        return len(seen)

    _fill(cast.team_a, cast.editor, stove, chef, video, kling, make_clip, 2)
    few = queries()
    _fill(cast.team_a, cast.editor, stove, chef, video, kling, make_clip, 4)
    assert len(page_rows(client)) == 6 * 5 + 2
    assert queries() == few


def test_ago_says_how_long_ago_briefly():
    now = timezone.now()
    assert ago(now - timedelta(seconds=20), now) == "just now"
    assert ago(now + timedelta(seconds=5), now) == "just now"  # another clock, a little ahead
    assert ago(now - timedelta(minutes=59), now) == "59 min ago"
    assert ago(now - timedelta(hours=2, minutes=50), now) == "2 h ago"
    assert ago(now - timedelta(days=29), now) == "29 d ago"
    long_ago = timezone.localtime(now - timedelta(days=400))
    assert ago(long_ago, now) == f"on {long_ago.day} {long_ago:%b %Y}"


def test_a_long_list_comes_in_pages_that_keep_the_search_and_the_sort(cast, client_for):
    from storyboard.boards.listing import PAGE_SIZE

    Storyboard.objects.bulk_create(
        [Storyboard(team=cast.team_a, title=f"Reel {i:03d}") for i in range(PAGE_SIZE + 5)])
    client = client_for(cast.viewer)
    first = client.get("/storyboards/", {"sort": "title", "q": "Reel"}).content.decode()
    assert len(rows(first)) == PAGE_SIZE
    assert f"Page 1 of 2 · {PAGE_SIZE + 5} storyboards" in first
    assert '<a href="?q=Reel&amp;sort=title&amp;page=2" rel="next">Next →</a>' in first
    second = page_rows(client, sort="title", q="Reel", page="2")
    assert [cell(r, "title") for r in second] == [
        f"Reel {i:03d}" for i in range(PAGE_SIZE, PAGE_SIZE + 5)]
    # A page past the end shows the last one; anything else the first.
    assert page_rows(client, sort="title", q="Reel", page="999") == second
    for wrong in ("0", "-1", "two", "1" * 40, "\x00"):
        assert cell(page_rows(client, sort="title", q="Reel", page=wrong)[0], "title") == (
            "Reel 000")
