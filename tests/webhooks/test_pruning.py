"""Finished deliveries older than 30 days are deleted by the hourly clean-up; pending ones and
recent history stay (the page's "Last deliveries" and "Send again" rely on them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from storyboard.schedules import SCHEDULES
from storyboard.webhooks import sending
from storyboard.webhooks.actions import add_webhook, send_test_event
from storyboard.webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def aged(hook, status, days):
    delivery = send_test_event(hook)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, created_at=timezone.now() - timedelta(days=days))
    return delivery.pk


def test_old_finished_deliveries_go_and_pending_or_recent_ones_stay(cast, webhook_tasks,
                                                                    allow_local_receiver):
    hook, _ = add_webhook(cast.team_a, "http://127.0.0.1:9/hooks", ["clip.ready"])
    old_delivered = aged(hook, Delivery.Status.DELIVERED, 31)
    old_failed = aged(hook, Delivery.Status.FAILED, 45)
    old_pending = aged(hook, Delivery.Status.PENDING, 60)  # still being tried: kept
    recent = aged(hook, Delivery.Status.DELIVERED, 29)

    assert sending.prune_deliveries() == 2

    left = set(Delivery.objects.values_list("pk", flat=True))
    assert left == {old_pending, recent}
    assert not left & {old_delivered, old_failed}


def test_the_clean_up_is_a_recurring_task_of_the_worker():
    [entry] = [s for s in SCHEDULES if s.func == "storyboard.webhooks.sending.prune_deliveries"]
    assert entry.minutes == 60
