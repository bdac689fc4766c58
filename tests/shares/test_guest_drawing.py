"""A guest of a share link draws on the frame like a member: the drawing goes with the comment,
the team sees it in its review, bad drawings are refused with a message naming the drawing, and
posting with a drawing counts in the guest's comment limit like any comment."""

import json

import pytest
from django.test import Client
from shares.conftest import open_as_guest

from storyboard.review.models import Comment
from storyboard.shares import limits

pytestmark = pytest.mark.django_db

RECTANGLE = {"kind": "rect", "colour": "green", "points": [[0.4, 0.2], [0.7, 0.6]]}
DRAWING = json.dumps({"shapes": [RECTANGLE]})


def test_a_guest_comments_at_4_2_s_with_a_drawing_and_the_team_sees_it(share, cast, client_for):
    link, token = share
    guest = open_as_guest(token)
    page = guest.get(f"/s/{token}/").content.decode()
    assert 'aria-label="Drawing on the frame"' in page and 'name="drawing"' in page
    assert "review/drawing.js" in page and "<script>" not in page and "style=" not in page
    response = guest.post(f"/s/{token}/comment/",
                          {"seconds": "4.2", "text": "Frame the lighthouse", "drawing": DRAWING})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.guest_name, comment.seconds, comment.shot) == ("Ana", 4.2, 2)
    assert comment.drawing == {"shapes": [RECTANGLE]}
    guest_page = guest.get(f"/s/{token}/").content.decode()
    team_page = client_for(cast.reviewer).get(f"/review/clips/{link.clip_id}/").content.decode()
    for html in (guest_page, team_page):
        assert 'aria-label="Show the drawing at 0:04.2"' in html
        assert 'aria-label="Drawing: 1 rectangle"' in html
        assert '<rect x="512" y="144" width="384" height="288" fill="none" stroke="#30d158"' \
            in html
        assert 'data-drawing-label="Drawing of the comment at 0:04.2"' in html
        assert "guest: Ana" in html


@pytest.mark.parametrize(("drawing", "message"), [
    ('{"shapes": "all"}', "Drawing: shapes must be a list."),
    (json.dumps({"shapes": [RECTANGLE] * 51}), "Drawing: at most 50 shapes (this one has 51)."),
    (json.dumps({"shapes": [{**RECTANGLE, "colour": "url(#x)"}]}),
     "Drawing: shape 1: the colour must be one of red, yellow, green, white."),
    ("9" * 150_000, "Drawing: at most 100,000 characters of drawing data (this one has 150,000)"),
])
def test_a_guest_s_bad_drawing_is_refused_with_a_message(share, drawing, message):
    link, token = share
    guest = open_as_guest(token)
    page = guest.post(f"/s/{token}/comment/", {"seconds": "4.2", "text": "late",
                                               "drawing": drawing}, follow=True)
    assert page.status_code == 200
    assert message.replace('"', "&quot;") in page.content.decode()
    assert not Comment.objects.exists()


def test_comments_with_drawings_count_in_the_guest_s_limit(share, monkeypatch):
    monkeypatch.setattr(limits, "COMMENTS", 2)
    link, token = share
    guest = open_as_guest(token)
    for n in range(3):
        page = guest.post(f"/s/{token}/comment/", {"seconds": "1", "text": f"note {n}",
                                                   "drawing": DRAWING}, follow=True)
    assert "Comment: at most 2 comments in 10 minutes" in page.content.decode()
    assert Comment.objects.count() == 2
    # A refused drawing counts too: the limit is on posting, before anything is read.
    assert guest.post(f"/s/{token}/comment/", {"seconds": "1", "text": "x",
                                               "drawing": "{"}).status_code == 302
    assert Comment.objects.count() == 2


def test_a_guest_without_the_password_cannot_post_a_drawing(share):
    link, token = share
    stranger = Client()
    stranger.post(f"/s/{token}/name/", {"name": "Eve"})
    response = stranger.post(f"/s/{token}/comment/", {"seconds": "1", "text": "hi",
                                                      "drawing": DRAWING})
    assert response.status_code == 404 and not Comment.objects.exists()
