"""Writes of the webhooks app, each in one transaction: add, delete, send again, send a test."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from storyboard.teams.crypto import encrypt_credentials
from storyboard.webhooks import events, signing
from storyboard.webhooks.models import Delivery, Webhook

MAX_WEBHOOKS = 10


class WebhookRefused(Exception):
    pass


@transaction.atomic
def add_webhook(team, url: str, chosen: list[str]) -> tuple[Webhook, str]:
    """The new webhook and its secret, which is returned only this once (stored encrypted)."""
    if Webhook.objects.filter(team=team).count() >= MAX_WEBHOOKS:
        raise WebhookRefused(f"A team has at most {MAX_WEBHOOKS} webhooks: delete one first.")
    secret = signing.new_secret()
    hook = Webhook.objects.create(team=team, url=url, events=sorted(set(chosen)),
                                  secret_encrypted=encrypt_credentials({"secret": secret}))
    return hook, secret


def remove_webhook(hook: Webhook) -> None:
    hook.delete()  # its deliveries go with it; a queued send then finds nothing to claim


@transaction.atomic
def resend_delivery(delivery: Delivery) -> None:
    """The same body (same id, so a receiver can tell it is a repeat), attempted again from the
    start of the retry schedule, soon."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now(),
        claimed_until=None, last_error="", last_status_code=None, delivered_at=None)
    events.queue_delivery(delivery.pk)


@transaction.atomic
def send_test_event(hook: Webhook) -> Delivery:
    return events.send_test_event(hook)
