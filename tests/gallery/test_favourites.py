"""Favourite stars are personal: any member may star a clip, and a star touches nobody
else's favourites."""

from storyboard.review.models import Favourite


def test_a_viewer_stars_and_unstars_a_clip_for_themselves_only(cast, client_for, make_clip):
    clip = make_clip(title="Lighthouse")
    Favourite.objects.create(user=cast.editor, clip=clip)
    client = client_for(cast.viewer, csrf=True)
    client.get("/gallery/")
    token = client.cookies["csrftoken"].value
    response = client.post(f"/gallery/clips/{clip.pk}/star/", HTTP_HX_REQUEST="true",
                           HTTP_X_CSRFTOKEN=token)
    html = response.content.decode()
    assert response.status_code == 200 and 'aria-pressed="true"' in html and "★" in html
    assert set(Favourite.objects.values_list("user__username", flat=True)) == {"eddie", "victor"}
    response = client.post(f"/gallery/clips/{clip.pk}/star/", HTTP_HX_REQUEST="true",
                           HTTP_X_CSRFTOKEN=token)
    assert 'aria-pressed="false"' in response.content.decode()
    assert list(Favourite.objects.values_list("user__username", flat=True)) == ["eddie"]


def test_a_star_without_the_csrf_token_is_refused(cast, client_for, make_clip):
    clip = make_clip()
    response = client_for(cast.viewer, csrf=True).post(f"/gallery/clips/{clip.pk}/star/")
    assert response.status_code == 403 and not Favourite.objects.exists()


def test_without_htmx_the_star_goes_back_to_the_page_it_came_from(cast, client_for, make_clip):
    clip = make_clip()
    client = client_for(cast.viewer)
    response = client.post(f"/gallery/clips/{clip.pk}/star/", {"next": "/gallery/?fav=1"})
    assert response["Location"] == "/gallery/?fav=1"
    response = client.post(f"/gallery/clips/{clip.pk}/star/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/gallery/clips/{clip.pk}/"


def test_another_teams_clip_cannot_be_starred(cast, client_for, make_clip):
    theirs = make_clip(team=cast.team_b)
    assert client_for(cast.viewer).post(f"/gallery/clips/{theirs.pk}/star/").status_code == 404
    assert not Favourite.objects.exists()
