"""Team settings → Webhooks: one page (the team's webhooks with their last deliveries, the add
form, the new secret once) and the POSTs it sends. Owners only, like provider accounts."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from storyboard import shown_once
from storyboard.teams.decorators import team_required
from storyboard.teams.scoping import for_team, get_for_team
from storyboard.webhooks import actions
from storyboard.webhooks.forms import WebhookForm
from storyboard.webhooks.models import Delivery, Webhook

RECENT_DELIVERIES = 10
# The new secret waits here between the POST that made it and the page it redirects to, which
# takes it out: a reload shows it no more, and it never goes into a URL.
NEW_SECRET_KEY = "webhooks.new_secret"  # noqa: S105 - a session key, not a secret


def _page(request, form=None, status=200):
    shown = list(for_team(Webhook, request.team))
    for hook in shown:  # at most MAX_WEBHOOKS of them
        hook.recent = list(hook.deliveries.order_by("-created_at")[:RECENT_DELIVERIES])
    new_secret = shown_once.take(request, NEW_SECRET_KEY)
    response = render(request, "webhooks/index.html", {
        "webhooks": shown, "form": form or WebhookForm(), "new_secret": new_secret,
    }, status=status)
    return shown_once.never_cached_if_shown(response, new_secret)


@require_GET
@team_required("manage")
def index(request):
    return _page(request)


@require_POST
@team_required("manage")
def add(request):
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        hook, secret = actions.add_webhook(request.team, form.cleaned_data["url"],
                                           form.cleaned_data["events"])
    except actions.WebhookRefused as refused:
        form.add_error(None, str(refused))
        return _page(request, form, status=400)
    shown_once.keep(request, NEW_SECRET_KEY, webhook=hook.id, secret=secret)
    messages.success(request, f"Webhook to {hook.url} added. Copy its secret now: it is shown "
                              "only this once.")
    return redirect("webhooks:index")


@require_POST
@team_required("manage")
def remove(request, webhook_id: int):
    hook = get_for_team(Webhook, request.team, pk=webhook_id)
    actions.remove_webhook(hook)
    messages.success(request, f"Webhook to {hook.url} deleted, with its deliveries.")
    return redirect("webhooks:index")


@require_POST
@team_required("manage")
def ping(request, webhook_id: int):
    hook = get_for_team(Webhook, request.team, pk=webhook_id)
    actions.send_test_event(hook)
    messages.success(request, f"A test event (ping) is on its way to {hook.url}; its delivery "
                              "is listed below.")
    return redirect("webhooks:index")


@require_POST
@team_required("manage")
def resend(request, delivery_id):
    delivery = get_for_team(Delivery.objects.select_related("webhook"), request.team,
                            field="webhook__team", pk=delivery_id)
    actions.resend_delivery(delivery)
    messages.success(request, f"The {delivery.event} delivery will be sent again to "
                              f"{delivery.webhook.url}.")
    return redirect("webhooks:index")
