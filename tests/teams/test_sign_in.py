from conftest import PASSWORD
from django.test import Client


def test_a_signed_out_visitor_is_sent_to_the_login_page(db, client):
    response = client.get("/library/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/library/"


def test_a_member_signs_in_and_lands_on_storyboards(cast, client):
    response = client.post("/login/", {"username": "eddie", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/storyboards/"
    assert b"Storyboards" in response.content
    assert response.context["user"].username == "eddie"


def test_a_wrong_password_is_refused_with_a_clear_message(cast, client):
    response = client.post("/login/", {"username": "eddie", "password": "nope"})
    assert response.status_code == 200
    assert b"That username and password do not match" in response.content
    assert not response.wsgi_request.user.is_authenticated


def test_five_failures_pause_sign_in_even_with_the_right_password(cast, client):
    for _ in range(5):
        client.post("/login/", {"username": "eddie", "password": "nope"})
    response = client.post("/login/", {"username": "eddie", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Sign-in paused" in response.content
    assert "_auth_user_id" not in client.session


def test_a_lockout_for_one_username_leaves_others_alone(cast, client):
    for _ in range(5):
        client.post("/login/", {"username": "eddie", "password": "nope"})
    response = client.post("/login/", {"username": "rita", "password": PASSWORD})
    assert response.status_code == 302


def test_signing_out_needs_a_post_and_ends_the_session(cast, client_for):
    client = client_for(cast.editor)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/library/").status_code == 302


def test_a_user_in_no_team_is_offered_to_create_one(db, django_user_model):
    user = django_user_model.objects.create_user(username="lonely", password=PASSWORD)
    client = Client()
    client.force_login(user)
    response = client.get("/library/", follow=True)
    assert response.redirect_chain[-1][0] == "/team/none/"
    assert b"You are not in any team" in response.content
