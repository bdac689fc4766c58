"""Team settings → Webhooks: owners add a webhook and see its secret once, send a test event,
send a delivery again and delete; bad input is refused naming the field; other teams' webhooks
and deliveries are not found."""

from __future__ import annotations

import pytest
from django.urls import reverse

from storyboard.webhooks.actions import add_webhook, send_test_event
from storyboard.webhooks.models import Delivery, Webhook

ADD = reverse("webhooks:add")
INDEX = reverse("webhooks:index")


def test_an_owner_adds_a_webhook_and_sees_its_secret_once(cast, client_for):
    client = client_for(cast.owner, csrf=True)
    client.get(INDEX)
    response = client.post(ADD, {"url": "https://hooks.example.com/sb",
                                 "events": ["clip.ready", "job.failed"],
                                 "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
                           follow=True)
    hook = Webhook.objects.get()
    secret = hook.secret()
    page = response.content.decode()
    assert (hook.team, hook.url, hook.events) == (cast.team_a, "https://hooks.example.com/sb",
                                                  ["clip.ready", "job.failed"])
    assert secret.startswith("whsec_") and secret in page
    assert "Copy the signing secret" in page
    assert "no-cache" in response["Cache-Control"]
    assert secret not in hook.secret_encrypted  # encrypted at rest
    assert secret not in client.get(INDEX).content.decode()  # shown once


def test_the_secret_is_shown_only_in_the_team_it_was_made_for(cast, client_for):
    from storyboard.webhooks.views import NEW_SECRET_KEY

    client = client_for(cast.owner)
    session = client.session
    session[NEW_SECRET_KEY] = {"team": cast.team_b.id, "webhook": 1, "secret": "whsec_other"}
    session.save()
    assert "whsec_other" not in client.get(INDEX).content.decode()


@pytest.mark.parametrize(("data", "message"), [
    ({"url": "http://hooks.example.com/x", "events": ["clip.ready"]},
     "URL: Must start with https://"),
    ({"url": "https://10.1.2.3/x", "events": ["clip.ready"]},
     "URL: 10.1.2.3 is a private or reserved address"),
    ({"url": "https://[::ffff:192.168.0.1]/x", "events": ["clip.ready"]},
     "is a private or reserved address"),
    ({"url": "https://127.0.0.1:8000/x", "events": ["clip.ready"]},
     "URL: 127.0.0.1 is this machine (loopback)"),
    ({"url": "https://localhost/x", "events": ["clip.ready"]}, "URL: localhost is this machine"),
    ({"url": "https://hooks.example.com/" + "a" * 600, "events": ["clip.ready"]},
     "URL: At most 500 characters (this one has 626)."),
    ({"url": "https://hooks.example.com/a b\nc", "events": ["clip.ready"]},
     "URL: Must not contain control characters"),
    ({"url": "", "events": ["clip.ready"]}, "URL: Enter the https:// address"),
    ({"url": "https://", "events": ["clip.ready"]}, "URL: "),
    ({"url": "ftp://hooks.example.com/", "events": ["clip.ready"]}, "URL: Expected an https://"),
    ({"url": "https://hooks.example.com/x"}, "Events: Choose at least one event."),
    ({"url": "https://hooks.example.com/x", "events": ["job.exploded"]},
     "Events: job.exploded is not an event this server sends."),
])
def test_bad_input_is_refused_naming_the_field(cast, client_for, data, message):
    response = client_for(cast.owner).post(ADD, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_nul_in_the_url_is_dropped_as_everywhere(cast, client_for):
    client_for(cast.owner).post(ADD, {"url": "https://hooks.example.com/\x00x",
                                      "events": ["clip.ready"]})
    assert Webhook.objects.get().url == "https://hooks.example.com/x"
    # Without the middleware (the worker, the shell), the form refuses it.
    from storyboard.webhooks.forms import WebhookForm

    form = WebhookForm({"url": "https://hooks.example.com/\x00x", "events": ["clip.ready"]})
    assert not form.is_valid() and "Null characters" in form.errors["url"][0]


def test_a_loopback_http_receiver_is_taken_when_the_operator_allows_it(cast, client_for,
                                                                      settings):
    settings.STORYBOARD_WEBHOOKS_ALLOW_LOOPBACK = True
    response = client_for(cast.owner).post(ADD, {"url": "http://127.0.0.1:9000/hooks",
                                                 "events": ["clip.ready"]})
    assert response.status_code == 302
    # Private networks stay refused.
    response = client_for(cast.owner).post(ADD, {"url": "http://192.168.1.10/hooks",
                                                 "events": ["clip.ready"]})
    assert "URL: Must start with https://" in response.content.decode()
    response = client_for(cast.owner).post(ADD, {"url": "https://192.168.1.10/hooks",
                                                 "events": ["clip.ready"]})
    assert "is a private or reserved address" in response.content.decode()


def test_the_page_lists_last_deliveries_and_sends_again_and_tests(cast, client_for):
    hook, _ = add_webhook(cast.team_a, "https://hooks.example.com/sb", ["clip.ready"])
    client = client_for(cast.owner)
    client.post(reverse("webhooks:ping", args=[hook.id]))
    delivery = Delivery.objects.get()
    assert delivery.event == "ping" and delivery.status == "pending"
    Delivery.objects.update(status="failed", attempts=6, last_status_code=503,
                            last_error="answered 503 Service Unavailable", next_attempt_at=None)
    page = client.get(INDEX).content.decode()
    assert "Failed" in page and "503" in page and f"Send the ping delivery {delivery.id} again" \
        in page
    client.post(reverse("webhooks:resend", args=[delivery.id]))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 0, "")
    client.post(reverse("webhooks:remove", args=[hook.id]))
    assert not Webhook.objects.exists() and not Delivery.objects.exists()


def test_another_teams_webhook_and_delivery_are_not_found(cast, client_for):
    hook, _ = add_webhook(cast.team_b, "https://hooks.example.com/b", ["clip.ready"])
    delivery = send_test_event(hook)
    client = client_for(cast.owner)
    for url in (reverse("webhooks:ping", args=[hook.id]),
                reverse("webhooks:remove", args=[hook.id]),
                reverse("webhooks:resend", args=[delivery.id])):
        assert client.post(url).status_code == 404
    assert "hooks.example.com/b" not in client.get(INDEX).content.decode()
    assert Webhook.objects.count() == 1 and Delivery.objects.count() == 1


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_only_owners_manage_webhooks(cast, client_for, role):
    client = client_for(cast.by_role[role])
    assert client.get(INDEX).status_code == 403
    assert client.post(ADD, {"url": "https://hooks.example.com/x",
                             "events": ["clip.ready"]}).status_code == 403
    assert not Webhook.objects.exists()


def test_posts_need_the_csrf_token(cast, client_for):
    client = client_for(cast.owner, csrf=True)
    response = client.post(ADD, {"url": "https://hooks.example.com/x", "events": ["clip.ready"]})
    assert response.status_code == 403
    assert not Webhook.objects.exists()


def test_team_settings_links_to_webhooks_for_owners(cast, client_for):
    assert INDEX in client_for(cast.owner).get(reverse("teams:settings")).content.decode()
    assert INDEX not in client_for(cast.editor).get(reverse("teams:settings")).content.decode()
