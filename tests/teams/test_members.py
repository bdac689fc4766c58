from storyboard.teams.models import Membership


def test_an_owner_changes_a_members_role(cast, client_for):
    editor = cast.member(cast.editor)
    response = client_for(cast.owner).post(f"/team/members/{editor.pk}/role/",
                                           {"role": "reviewer"}, follow=True)
    assert b"eddie is now reviewer." in response.content
    editor.refresh_from_db()
    assert editor.role == "reviewer"


def test_the_last_owner_cannot_be_demoted(cast, client_for):
    owner = cast.member(cast.owner)
    response = client_for(cast.owner).post(f"/team/members/{owner.pk}/role/",
                                           {"role": "editor"}, follow=True)
    assert b"olivia is the last owner of Team A: make someone else an owner first." in (
        response.content
    )
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_with_a_second_owner_the_first_may_step_down(cast, client_for):
    client = client_for(cast.owner)
    client.post(f"/team/members/{cast.member(cast.editor).pk}/role/", {"role": "owner"})
    client.post(f"/team/members/{cast.member(cast.owner).pk}/role/", {"role": "editor"})
    assert cast.member(cast.owner).role == "editor"
    assert cast.member(cast.editor).role == "owner"


def test_the_last_owner_cannot_be_removed(cast, client_for):
    owner = cast.member(cast.owner)
    response = client_for(cast.owner).post(f"/team/members/{owner.pk}/remove/", follow=True)
    assert b"last owner" in response.content
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_a_removed_member_loses_the_team_at_once(cast, client_for):
    removed = client_for(cast.editor)
    assert removed.get("/library/").status_code == 200
    response = client_for(cast.owner).post(
        f"/team/members/{cast.member(cast.editor).pk}/remove/", follow=True
    )
    assert b"eddie was removed from the team." in response.content
    assert removed.get("/library/")["Location"] == "/team/none/"


def test_an_unknown_role_changes_nothing(cast, client_for):
    editor = cast.member(cast.editor)
    response = client_for(cast.owner).post(f"/team/members/{editor.pk}/role/",
                                           {"role": "ruler"}, follow=True)
    assert b"Role: Select a valid choice" in response.content
    editor.refresh_from_db()
    assert editor.role == "editor"


def test_a_role_change_by_a_non_owner_is_refused(cast, client_for):
    editor = cast.member(cast.editor)
    response = client_for(cast.editor).post(f"/team/members/{editor.pk}/role/",
                                            {"role": "owner"})
    assert response.status_code == 403
    assert b"Your role in Team A (editor) cannot do this." in response.content
    editor.refresh_from_db()
    assert editor.role == "editor"


def test_members_of_other_teams_cannot_be_touched(cast, client_for):
    outsider = cast.member(cast.outsider, cast.team_b)
    response = client_for(cast.owner).post(f"/team/members/{outsider.pk}/remove/")
    assert response.status_code == 404
    assert Membership.objects.filter(pk=outsider.pk).exists()


def test_only_owners_see_the_management_controls(cast, client_for):
    owner_page = client_for(cast.owner).get("/team/").content.decode()
    viewer_page = client_for(cast.viewer).get("/team/").content.decode()
    assert "Create invitation link" in owner_page and "Change role" in owner_page
    assert "Create invitation link" not in viewer_page and "Change role" not in viewer_page
    assert "victor" in viewer_page and "olivia" in viewer_page


def test_an_owner_renames_the_team_but_not_to_nothing(cast, client_for):
    client = client_for(cast.owner)
    client.post("/team/rename/", {"name": "Pre-production"})
    cast.team_a.refresh_from_db()
    assert cast.team_a.name == "Pre-production"
    response = client.post("/team/rename/", {"name": "   "}, follow=True)
    assert b"Team name" in response.content
    cast.team_a.refresh_from_db()
    assert cast.team_a.name == "Pre-production"
