"""All takes of a storyboard across its revisions, grouped and newest first, the approved take
obvious; two takes side by side."""

import re
from datetime import timedelta

from storyboard.boards.models import Storyboard
from storyboard.gallery.queries import FAMILY_DEPTH, family_ids
from storyboard.review.actions import approve_clip


def test_takes_of_a_storyboard_and_its_revisions_are_grouped_newest_first(cast, client_for,
                                                                         make_clip):
    root = Storyboard.objects.create(team=cast.team_a, title="Coast")
    retake = Storyboard.objects.create(team=cast.team_a, title="Coast (retake)", parent=root)
    first = make_clip(storyboard=root, title="Coast", age=timedelta(hours=3))
    second = make_clip(storyboard=root, title="Coast", age=timedelta(hours=2))
    newest = make_clip(storyboard=retake, title="Coast (retake)", age=timedelta(hours=1))
    make_clip(title="Something else")
    approve_clip(newest, cast.reviewer)
    for start in (root, retake):
        html = client_for(cast.viewer).get(f"/gallery/takes/{start.pk}/").content.decode()
        groups = re.findall(r'<h2 id="rev-(\d+)">', html)
        assert groups == [str(retake.pk), str(root.pk)]  # the newest revision first
        cards = [int(x) for x in re.findall(r'id="clip-title-(\d+)"', html)]
        assert cards == [newest.pk, second.pk, first.pk]
        assert "Something else" not in html
        assert html.count('class="clip-card approved"') == 1
        assert f'Approved: <a href="/gallery/clips/{newest.pk}/"' in html


def test_a_family_walk_is_bounded(cast):
    boards = [Storyboard.objects.create(team=cast.team_a, title="B0")]
    for n in range(1, FAMILY_DEPTH * 3):
        boards.append(Storyboard.objects.create(team=cast.team_a, title=f"B{n}",
                                                parent=boards[-1]))
    found = family_ids(boards[-1].pk, cast.team_a)
    assert len(found) <= FAMILY_DEPTH * 2 + 1 and boards[-1].pk in found
    # A cycle made by hand in the database does not loop forever.
    Storyboard.objects.filter(pk=boards[0].pk).update(parent=boards[-1])
    assert family_ids(boards[5].pk, cast.team_a)


def test_two_takes_play_side_by_side(cast, client_for, make_clip):
    a, b = make_clip(title="Take A"), make_clip(title="Take B")
    html = client_for(cast.viewer).get("/gallery/compare/", {"take": [a.pk, b.pk]}).content.decode()
    assert html.count('class="synced"') == 2
    assert f'/jobs/clips/{a.pk}/video/' in html and f'/jobs/clips/{b.pk}/video/' in html
    assert 'id="sync-play"' in html and "gallery/compare.js" in html
    assert "<script>" not in html  # no inline scripts (the coming CSP forbids them)


def test_compare_needs_two_different_takes_of_this_team(cast, client_for, make_clip):
    ours, theirs = make_clip(), make_clip(team=cast.team_b)
    client = client_for(cast.viewer)
    response = client.get("/gallery/compare/", {"take": [ours.pk]}, follow=True)
    assert "Compare: choose exactly two different takes." in response.content.decode()
    response = client.get("/gallery/compare/", {"take": [ours.pk, ours.pk]}, follow=True)
    assert "choose exactly two different takes" in response.content.decode()
    assert client.get("/gallery/compare/", {"take": [ours.pk, theirs.pk]}).status_code == 404
    assert client.get("/gallery/compare/", {"take": ["1x", "'"]}, follow=True).status_code == 200
