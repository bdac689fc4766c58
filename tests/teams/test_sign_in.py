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


def _fail(client, username, times, address="10.0.0.1"):
    for _ in range(times):
        client.post("/login/", {"username": username, "password": "nope"}, REMOTE_ADDR=address)


def test_ten_failures_for_a_user_pause_it_even_with_the_right_password(cast, client):
    for n in range(10):  # spread over many addresses: still the same user
        _fail(client, "eddie", 1, address=f"10.0.0.{n + 1}")
    response = client.post("/login/", {"username": "eddie", "password": PASSWORD},
                           REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert b"Sign-in paused" in response.content
    assert "_auth_user_id" not in client.session


def test_ten_failures_from_one_address_pause_that_address(cast, client):
    for name in ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"):
        _fail(client, name, 1, address="10.0.0.7")
    assert client.post("/login/", {"username": "rita", "password": PASSWORD},
                       REMOTE_ADDR="10.0.0.7").status_code == 429
    assert client.post("/login/", {"username": "rita", "password": PASSWORD},
                       REMOTE_ADDR="10.0.0.8").status_code == 302


def test_nine_failures_still_let_the_right_password_in(cast, client):
    _fail(client, "eddie", 9)
    response = client.post("/login/", {"username": "eddie", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.1")
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


def test_behind_a_trusted_proxy_the_forwarded_client_is_paused_not_everyone(
        cast, client, settings):
    # Every request reaches the app from the proxy, 10.0.0.9; the client is in X-Forwarded-For.
    settings.STORYBOARD_TRUSTED_PROXIES = ["10.0.0.0/24"]
    for n in range(10):
        client.post("/login/", {"username": f"nobody{n}", "password": "nope"},
                    REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.7")
    paused = client.post("/login/", {"username": "eddie", "password": PASSWORD},
                         REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert paused.status_code == 429
    other = Client().post("/login/", {"username": "eddie", "password": PASSWORD},
                          REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.4, 10.0.0.3")
    assert other.status_code == 302  # another client through the same proxy signs in


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(cast, client, settings):
    settings.STORYBOARD_TRUSTED_PROXIES = ["10.0.0.0/24"]
    # A client sending the header itself cannot dodge its pause by naming a new address.
    for n in range(10):
        client.post("/login/", {"username": f"nobody{n}", "password": "nope"},
                    REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = client.post("/login/", {"username": "eddie", "password": PASSWORD},
                           REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


def test_a_trusted_proxy_setting_that_is_not_an_address_stops_the_start():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "storyboard.settings",
             "STORYBOARD_TRUSTED_PROXIES": "10.0.0.1, proxy.local"},
        capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "STORYBOARD_TRUSTED_PROXIES: 'proxy.local' is not an IP address" in result.stderr
