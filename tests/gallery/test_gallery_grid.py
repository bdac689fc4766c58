"""The gallery grid: cards, filters, text search, favourites, keyset "load more", and a query
count that does not grow with the page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from library.media_factory import make_image_element

from storyboard.boards.models import Storyboard
from storyboard.gallery.queries import PAGE_SIZE
from storyboard.review.actions import approve_clip, request_retake, toggle_favourite
from storyboard.teams.accounts import AccountInput, add_account


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 id="clip-title-\d+"><a href="[^"]+">([^<]*)</a>', html)


def gallery(client, **params):
    response = client.get("/gallery/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_card_shows_poster_duration_target_status_review_state_and_star(cast, client_for,
                                                                         make_clip):
    clip = make_clip(title="Lighthouse", seconds=(3, 3, 3), prompts=("A", "B", "C"))
    html = gallery(client_for(cast.viewer))
    assert f'poster="/jobs/clips/{clip.pk}/poster/"' in html
    assert f'data-src="/jobs/clips/{clip.pk}/video/"' in html  # fetched on hover, not before
    assert "9.0 s" in html and "Local preview (animatic)" in html and "Succeeded" in html
    assert "Awaiting review" in html
    assert 'aria-label="Favourite: Lighthouse"' in html and 'aria-pressed="false"' in html
    approve_clip(clip, cast.reviewer)
    assert "✓ Approved" in gallery(client_for(cast.viewer))


def test_only_this_teams_clips_of_finished_jobs_are_shown(cast, client_for, make_clip):
    make_clip(title="Ours")
    make_clip(title="Theirs", team=cast.team_b)
    make_clip(title="Still downloading", state="downloading")
    assert titles(gallery(client_for(cast.viewer))) == ["Ours"]


def test_an_empty_gallery_says_how_clips_arrive(cast, client_for):
    assert "No clips yet" in gallery(client_for(cast.viewer))


def test_the_storyboard_filter_includes_its_revisions_both_ways(cast, client_for, make_clip):
    root = Storyboard.objects.create(team=cast.team_a, title="Root")
    child = Storyboard.objects.create(team=cast.team_a, title="Child", parent=root)
    grandchild = Storyboard.objects.create(team=cast.team_a, title="Grandchild", parent=child)
    sibling = Storyboard.objects.create(team=cast.team_a, title="Sibling", parent=root)
    for board in (root, child, grandchild, sibling):
        make_clip(storyboard=board, title=f"Take of {board.title}")
    make_clip(title="Unrelated")
    client = client_for(cast.viewer)
    for start in (root, grandchild):  # from the top and from the bottom of the family
        shown = titles(gallery(client, board=start.pk))
        assert sorted(shown) == ["Take of Child", "Take of Grandchild", "Take of Root",
                                 "Take of Sibling"]


def test_target_review_state_element_and_date_filters(cast, client_for, make_clip):
    account = add_account(cast.team_a, AccountInput("kling", "Kling main",
                                                    {"access_key": "a", "secret_key": "b"}))
    hero = make_image_element(cast.team_a, name="Hero")
    on_kling = make_clip(title="On kling", account=account, model="o1")
    approved = make_clip(title="Approved one")
    approve_clip(approved, cast.reviewer)
    retake = make_clip(title="Retake one")
    request_retake(retake, cast.reviewer, "again")
    with_hero = make_clip(title="With hero", versions=[hero.current_version])
    make_clip(title="Old one", age=timedelta(days=40))
    client = client_for(cast.viewer)
    assert titles(gallery(client, target=f"{account.pk}:o1")) == ["On kling"]
    assert titles(gallery(client, target=f"{account.pk}:v3")) == []
    assert "On kling" not in titles(gallery(client, target="animatic"))
    assert titles(gallery(client, review="approved")) == ["Approved one"]
    assert titles(gallery(client, review="retake")) == ["Retake one"]
    assert "Approved one" not in titles(gallery(client, review="awaiting"))
    assert titles(gallery(client, element=hero.pk)) == ["With hero"]
    today = timezone.localdate()
    recent = titles(gallery(client, **{"from": str(today - timedelta(days=1)),
                                       "to": str(today)}))
    assert "Old one" not in recent and "With hero" in recent
    old = (today - timedelta(days=40)).isoformat()
    assert titles(gallery(client, **{"from": old, "to": old})) == ["Old one"]
    assert on_kling and with_hero


def test_bad_filter_values_are_named_and_nothing_is_shown(cast, client_for, make_clip):
    make_clip()
    client = client_for(cast.viewer)
    html = gallery(client, **{"from": "2025-13-45", "to": "yesterday"})
    assert "From: “2025-13-45” is not a date" in html and "To: “yesterday” is not a date" in html
    assert titles(html) == []
    html = gallery(client, **{"from": "2025-03-10", "to": "2025-03-01"})
    assert "“From” is after “To”" in html
    other = Storyboard.objects.create(team=cast.team_b, title="Theirs")
    html = gallery(client, board=other.pk, review="maybe", target="99:v9", element="x")
    for message in ("Storyboard: choose one from the list.", "Target: choose one from the list.",
                    "Review: choose awaiting, approved or retake requested.",
                    "Element: choose one from the list."):
        assert message in html


def test_text_search_finds_every_word_in_any_prompt(cast, client_for, make_clip):
    make_clip(title="Harbour", prompts=("A lighthouse at dusk", "Gulls over the harbour"))
    make_clip(title="Kitchen", prompts=("A chef flips a pancake", "Applause"))
    client = client_for(cast.viewer)
    assert titles(gallery(client, q="LIGHTHOUSE")) == ["Harbour"]
    assert titles(gallery(client, q="chef applause")) == ["Kitchen"]
    assert titles(gallery(client, q="chef gulls")) == []


@pytest.mark.parametrize("query", ["%", "_", "' OR 1=1 --", "\"; DROP TABLE jobs_clip; --",
                                   "<script>alert(1)</script>", "100%_done\\", "\x00"])
def test_search_metacharacters_are_searched_for_literally_and_shown_escaped(
        cast, client_for, make_clip, query):
    make_clip(title="Plain", prompts=("Nothing special", "At all"))
    # (PostgreSQL cannot store a NUL at all: that case only searches for one.)
    stored = query.replace("\x00", "")
    literal = make_clip(title="Literal", prompts=(f"Contains {stored} here", "B"))
    html = gallery(client_for(cast.viewer), q=query)
    assert "<script>alert(1)</script>" not in html
    if query != "\x00":
        assert titles(html) == ["Literal"]
    assert literal.job.prompt_text  # the rows are untouched
    assert Storyboard.objects.filter(team=cast.team_a).count() == 2


def test_a_10000_character_search_is_refused_with_the_limit(cast, client_for, make_clip):
    make_clip()
    html = gallery(client_for(cast.viewer), q="x" * 10_000)
    assert "Search: at most 200 characters (this one has 10,000)." in html
    assert "x" * 201 not in html and titles(html) == []


def test_favourites_only_shows_this_users_stars(cast, client_for, make_clip):
    mine, theirs = make_clip(title="Mine"), make_clip(title="Theirs")
    toggle_favourite(mine, cast.viewer)
    toggle_favourite(theirs, cast.editor)
    html = gallery(client_for(cast.viewer), fav="1")
    assert titles(html) == ["Mine"] and 'aria-pressed="true"' in html


def test_load_more_walks_every_clip_once_by_keyset_never_offset(cast, client_for, make_clip):
    now = timezone.now()
    clips = [make_clip(title=f"Clip {n:03d}") for n in range(PAGE_SIZE + 10)]
    # Several clips share a timestamp: the id breaks the tie.
    for i, clip in enumerate(clips):
        type(clip).objects.filter(pk=clip.pk).update(created_at=now - timedelta(seconds=i // 3))
    client = client_for(cast.viewer)
    with CaptureQueriesContext(connection) as queries:
        first = gallery(client)
    assert not any(" OFFSET " in q["sql"].upper() for q in queries.captured_queries)
    seen = titles(first)
    assert len(seen) == PAGE_SIZE
    more = re.search(r'href="(\?[^"]*after=[^"]+)" hx-get', first).group(1).replace("&amp;", "&")
    make_clip(title="Arrived meanwhile")  # newer: must not shift the next page
    nxt = client.get(f"/gallery/{more}", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in nxt and "Load more" not in nxt  # a fragment: the last page
    seen += titles(nxt)
    assert sorted(seen) == sorted(c.job.title for c in clips)
    assert len(seen) == len(set(seen))


def test_filters_carry_over_to_the_next_page(cast, client_for, make_clip):
    for n in range(PAGE_SIZE + 2):
        make_clip(title=f"Kitchen {n}", prompts=("chef", "pan"))
    make_clip(title="Harbour", prompts=("boat", "sea"))
    first = gallery(client_for(cast.viewer), q="chef")
    assert "q=chef" in re.search(r'href="(\?[^"]*after=[^"]+)"', first).group(1)


def test_a_bad_cursor_starts_from_the_first_page(cast, client_for, make_clip):
    make_clip(title="Only")
    for cursor in ("garbage", "1_", "_1", "9" * 40 + "_1", "-5_3"):
        assert titles(gallery(client_for(cast.viewer), after=cursor)) == ["Only"]


def test_htmx_filter_changes_swap_only_the_results(cast, client_for, make_clip):
    make_clip(title="Harbour", prompts=("boat", "sea"))
    response = client_for(cast.viewer).get("/gallery/", {"q": "boat"}, HTTP_HX_REQUEST="true",
                                           HTTP_HX_TARGET="results")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"') and titles(html) == ["Harbour"]


# Session, user, memberships; storyboards, accounts, elements for the filter bar; the page
# of clips (with job, account, review state and star in one query).
GALLERY_QUERIES = 7


@pytest.mark.parametrize("filters", [{}, {"q": "light", "review": "awaiting", "fav": ""}])
def test_the_gallery_costs_the_same_queries_for_3_clips_or_a_full_page(
        cast, client_for, make_clip, django_assert_num_queries, filters):
    client = client_for(cast.viewer)
    gallery(client)  # the first visit also stores the current team in the session
    for _ in range(3):
        make_clip(prompts=("light", "house"))
    with django_assert_num_queries(GALLERY_QUERIES):
        assert len(titles(gallery(client, **filters))) == 3
    for _ in range(PAGE_SIZE):
        toggle_favourite(make_clip(prompts=("light", "house")), cast.viewer)
    with django_assert_num_queries(GALLERY_QUERIES):
        assert len(titles(gallery(client, **filters))) == PAGE_SIZE


def test_the_next_page_costs_the_same_queries_too(cast, client_for, make_clip,
                                                  django_assert_num_queries):
    for _ in range(PAGE_SIZE * 2 + 1):
        make_clip()
    client = client_for(cast.viewer)
    first = gallery(client)
    more = re.search(r'href="(\?[^"]*after=[^"]+)"', first).group(1).replace("&amp;", "&")
    with django_assert_num_queries(GALLERY_QUERIES):
        client.get(f"/gallery/{more}", HTTP_HX_REQUEST="true")
