"""The review queue: clips awaiting a decision, oldest first, with their count in the
navigation of those who decide."""

import re
from datetime import timedelta

import pytest

from storyboard.review.actions import approve_clip, request_retake
from storyboard.review.queue import QUEUE_PAGE


def queued(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/review/clips/\d+/">([^<]*)</a></h2>', html)


def test_the_queue_lists_undecided_clips_oldest_first(cast, client_for, make_clip):
    make_clip(title="Newest", age=timedelta(minutes=1))
    make_clip(title="Oldest", age=timedelta(hours=5))
    approved = make_clip(title="Approved", age=timedelta(hours=9))
    retake = make_clip(title="Retake", age=timedelta(hours=8))
    make_clip(title="Still running", state="processing")
    make_clip(title="Other team", team=cast.team_b)
    approve_clip(approved, cast.reviewer)
    request_retake(retake, cast.reviewer, "again")
    html = client_for(cast.reviewer).get("/review/").content.decode()
    assert queued(html) == ["Oldest", "Newest"]


def test_the_navigation_counts_clips_awaiting_review_for_reviewers_and_owners(
        cast, client_for, make_clip):
    for _ in range(3):
        make_clip()
    for user in (cast.reviewer, cast.owner):
        html = client_for(user).get("/gallery/").content.decode()
        assert re.search(r'>Review <span class="badge" title="Clips awaiting review">3</span>',
                         html)
    for user in (cast.editor, cast.viewer):
        html = client_for(user).get("/gallery/").content.decode()
        assert 'title="Clips awaiting review"' not in html


def test_an_empty_queue_says_so(cast, client_for):
    html = client_for(cast.reviewer).get("/review/").content.decode()
    assert "Nothing awaiting review" in html and 'title="Clips awaiting review"' not in html


def test_editors_and_viewers_can_watch_the_queue(cast, client_for, make_clip):
    make_clip(title="Waiting")
    for user in (cast.editor, cast.viewer):
        html = client_for(user).get("/review/").content.decode()
        assert queued(html) == ["Waiting"] and "Reviewers and owners approve" in html


# Session, user, memberships; the queue page (clips with job and account); the count in the
# navigation.
QUEUE_QUERIES = 5


@pytest.mark.parametrize("user", ["reviewer", "owner"])
def test_the_queue_costs_the_same_queries_for_2_clips_or_a_full_page(
        cast, client_for, make_clip, django_assert_num_queries, user):
    client = client_for(getattr(cast, user))
    client.get("/review/")
    for _ in range(2):
        make_clip()
    with django_assert_num_queries(QUEUE_QUERIES):
        assert len(queued(client.get("/review/").content.decode())) == 2
    for _ in range(QUEUE_PAGE + 3):
        make_clip()
    with django_assert_num_queries(QUEUE_QUERIES):
        html = client.get("/review/").content.decode()
    assert len(queued(html)) == QUEUE_PAGE and f"Showing the oldest {QUEUE_PAGE}" in html
