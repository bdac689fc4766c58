from storyboard.teams.models import Membership, Team


def test_a_member_of_two_teams_switches_between_them(cast, client_for):
    cast.team_b.memberships.create(user=cast.editor, role="viewer")
    client = client_for(cast.editor)
    response = client.post("/team/switch/", {"team": cast.team_b.pk, "next": "/team/"},
                           follow=True)
    assert response.redirect_chain[-1][0] == "/team/"
    assert b"Team settings: Team B" in response.content
    assert b"Switched to Team B." in response.content
    assert client.get("/team/").context["current_team"] == cast.team_b


def test_switching_to_a_team_one_is_not_in_is_refused(cast, client_for):
    client = client_for(cast.editor)
    response = client.post("/team/switch/", {"team": cast.team_b.pk}, follow=True)
    assert b"Team: you are not a member of that team." in response.content
    assert client.get("/team/").context["current_team"] == cast.team_a


def test_switching_with_garbage_is_refused(cast, client_for):
    client = client_for(cast.editor)
    response = client.post("/team/switch/", {"team": "A' OR 1=1"}, follow=True)
    assert b"not a member of that team" in response.content


def test_switch_does_not_redirect_to_another_site(cast, client_for):
    response = client_for(cast.editor).post(
        "/team/switch/", {"team": cast.team_a.pk, "next": "//evil.example/"}
    )
    assert response["Location"] == "/"


def test_creating_a_team_makes_its_creator_the_owner_and_switches_to_it(cast, client_for):
    client = client_for(cast.viewer)
    response = client.post("/team/new/", {"name": "  Night shoot ✨ "}, follow=True)
    team = Team.objects.get(name="Night shoot ✨")
    assert Membership.objects.get(team=team, user=cast.viewer).role == "owner"
    assert response.context["current_team"] == team
    assert b"you are its owner" in response.content


def test_a_team_needs_a_name_of_at_most_80_characters(cast, client_for):
    client = client_for(cast.viewer)
    teams = Team.objects.count()
    for name, message in (("", b"Team name"), ("x" * 81, b"at most 80 characters")):
        response = client.post("/team/new/", {"name": name})
        assert response.status_code == 400
        assert message in response.content
    assert Team.objects.count() == teams


def test_a_member_can_leave_but_the_last_owner_cannot(cast, client_for):
    client_for(cast.editor).post("/team/leave/")
    assert not Membership.objects.filter(user=cast.editor, team=cast.team_a).exists()
    response = client_for(cast.owner).post("/team/leave/", follow=True)
    assert b"last owner" in response.content
    assert Membership.objects.filter(user=cast.owner, team=cast.team_a).exists()
