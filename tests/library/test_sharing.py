"""An owner shares the team's element library read-only with another team they belong to;
that team's members see the elements marked "shared by", can use their media, cannot change or
delete them; revoking removes access at once."""

import pytest
from library.media_factory import join, make_image, make_image_element, share

from storyboard.library.access import visible_elements
from storyboard.library.models import Element, LibraryShare

pytestmark = pytest.mark.django_db


def test_an_owner_shares_with_a_team_they_belong_to(cast, client_for):
    join(cast.owner, cast.team_b)
    client = client_for(cast.owner)
    page = client.get("/library/").content.decode()
    assert 'aria-label="Share with Team B"' in page
    response = client.post(f"/library/share/{cast.team_b.pk}/", follow=True)
    assert "Team B can now use Team A&#x27;s elements (read-only)." in response.content.decode()
    share_row = LibraryShare.objects.get()
    assert (share_row.from_team, share_row.to_team, share_row.created_by) == (
        cast.team_a, cast.team_b, cast.owner)
    client.post(f"/library/share/{cast.team_b.pk}/")  # again: still one active share
    assert LibraryShare.objects.active().count() == 1


def test_a_team_the_owner_is_not_in_cannot_be_named(cast, client_for):
    response = client_for(cast.owner).post(f"/library/share/{cast.team_b.pk}/")
    assert response.status_code == 404
    assert not LibraryShare.objects.exists()


def test_the_sharing_panel_lists_only_the_owners_own_teams(cast, client_for, django_user_model):
    from storyboard.teams.models import Team

    Team.objects.create(name="Secret studio")
    page = client_for(cast.owner).get("/library/").content.decode()
    assert "Secret studio" not in page and "Team B" not in page
    assert "You are not a member of any other team." in page


def test_an_editor_cannot_share(cast, client_for):
    join(cast.editor, cast.team_b)
    assert client_for(cast.editor).post(f"/library/share/{cast.team_b.pk}/").status_code == 403
    assert not LibraryShare.objects.exists()


def test_the_other_team_sees_shared_elements_marked_with_the_owning_team(cast, client_for):
    element = make_image_element(cast.team_a, name="Mara")
    share(cast.team_a, cast.team_b, cast.owner)
    client = client_for(cast.outsider)
    page = client.get("/library/").content.decode()
    assert "Mara" in page and "shared by Team A" in page
    detail = client.get(f"/library/elements/{element.pk}/").content.decode()
    assert "shared by Team A · read-only" in detail
    assert f"/library/elements/{element.pk}/edit/" not in detail
    assert list(visible_elements(cast.team_b)) == [element]


def test_the_other_team_can_use_the_shared_elements_images_but_not_the_rest(cast, client_for):
    element = make_image_element(cast.team_a, extras=1)
    unrelated = make_image(cast.team_a, color=(99, 1, 1))
    share(cast.team_a, cast.team_b, cast.owner)
    client = client_for(cast.outsider)
    for image in (element.current_version.frontal, *element.current_version.extras):
        assert client.get(f"/library/images/{image.pk}/256").status_code == 200
    assert client.get(f"/library/images/{unrelated.pk}/256").status_code == 404
    # Images of the sharing team are not listed as the other team's own images.
    assert "images-h" in client.get("/library/").content.decode()
    assert f"/library/images/{unrelated.pk}/" not in client.get("/library/").content.decode()


def test_the_other_team_cannot_change_or_delete_shared_elements(cast, client_for):
    element = make_image_element(cast.team_a)
    share(cast.team_a, cast.team_b, cast.owner)
    client = client_for(cast.outsider)
    front = element.current_version.frontal
    assert client.get(f"/library/elements/{element.pk}/edit/").status_code == 404
    assert client.post(f"/library/elements/{element.pk}/edit/",
                       {"name": "Hijack", "tag": "prop", "frontal": front.pk}).status_code == 404
    assert client.post(f"/library/elements/{element.pk}/delete/").status_code == 404
    assert client.post(f"/library/images/{front.pk}/edit/", {"name": "x"}).status_code == 404
    assert client.post(f"/library/images/{front.pk}/delete/").status_code == 404
    element.refresh_from_db()
    assert element.current_version.name == "Mara" and element.versions.count() == 1


def test_revoking_removes_access_at_once(cast, client_for):
    element = make_image_element(cast.team_a)
    join(cast.owner, cast.team_b)
    share_row = share(cast.team_a, cast.team_b, cast.owner)
    outsider = client_for(cast.outsider)
    assert outsider.get(f"/library/elements/{element.pk}/").status_code == 200
    response = client_for(cast.owner).post(f"/library/shares/{share_row.pk}/revoke/",
                                           follow=True)
    assert "Team B can no longer use this library." in response.content.decode()
    assert outsider.get(f"/library/elements/{element.pk}/").status_code == 404
    front = element.current_version.frontal
    assert outsider.get(f"/library/images/{front.pk}/256").status_code == 404
    assert "Mara" not in outsider.get("/library/").content.decode()
    share_row.refresh_from_db()
    assert share_row.revoked_at is not None and share_row.revoked_by == cast.owner


def test_the_receiving_team_cannot_revoke_someone_elses_share(cast, client_for):
    share_row = share(cast.team_a, cast.team_b, cast.owner)
    response = client_for(cast.outsider).post(f"/library/shares/{share_row.pk}/revoke/")
    assert response.status_code == 404
    assert LibraryShare.objects.active().count() == 1


def test_sharing_is_one_way(cast, client_for):
    theirs = make_image_element(cast.team_b, name="Theirs")
    share(cast.team_a, cast.team_b, cast.owner)
    assert client_for(cast.owner).get(f"/library/elements/{theirs.pk}/").status_code == 404
    assert Element.objects.count() == 1
