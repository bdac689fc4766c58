"""The jobs harness (a recorded queue, a sandbox, its accounts, boards) for the webhook tests,
plus a recorder for the webhook tasks and a local receiver allowed for one test."""

from __future__ import annotations

import pytest
from jobs.conftest import (  # noqa: F401 - fixtures, found by pytest through these names
    _sandbox_of_this_test,
    board,
    queue,
    sandbox,
    sandbox_account,
)

from storyboard.webhooks import sending


class WebhookTasks:
    """What the app queued for the worker: delivery ids, run when the test says."""

    def __init__(self):
        self.ids: list[str] = []

    def __call__(self, func, *args, **kwargs):
        assert func == "storyboard.webhooks.sending.send_delivery", func
        self.ids.append(args[0])

    def run_all(self) -> list[str]:
        done = []
        while self.ids:
            done.append(sending.send_delivery(self.ids.pop(0)))
        return done


@pytest.fixture
def webhook_tasks(monkeypatch):
    recorder = WebhookTasks()
    monkeypatch.setattr("storyboard.webhooks.events.async_task", recorder)
    # on_commit callbacks run at once inside the test's transaction
    monkeypatch.setattr("storyboard.webhooks.events.transaction.on_commit", lambda fn: fn())
    return recorder


@pytest.fixture
def allow_local_receiver(settings):
    """An http:// receiver on loopback, as the operator's setting allows."""
    settings.STORYBOARD_WEBHOOKS_ALLOW_LOOPBACK = True
