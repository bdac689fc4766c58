"""The worker's side of webhooks: send a delivery, and the sweep that sends what is due again.

Each attempt signs the stored body anew with its own timestamp (signing.py), posts it through
the outbound client that refuses private and loopback addresses at connect time
(docs/architecture.md §16), waits at most SEND_TIMEOUT, follows no redirect, and reads at most a
few KB of the answer. A 2xx is delivered; anything else is tried again after 1 min, 5 min,
30 min, 2 h and 6 h, then the delivery is failed. Like the job tasks, each claims its row with a
conditional UPDATE first, so a task delivered twice sends once.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import httpx
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from storyboard.providers.http import AddressRefused, build_client, checked_transport
from storyboard.teams.crypto import CredentialsUnreadable
from storyboard.webhooks import signing
from storyboard.webhooks.addresses import refusal
from storyboard.webhooks.models import Delivery

log = logging.getLogger(__name__)

SEND_TIMEOUT = 5.0
# The wait before the 2nd, 3rd … 6th attempt; after the 6th fails, the delivery is failed.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=2), timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(seconds=60)  # longer than any attempt
ANSWER_BYTES = 2048
SWEEP_BATCH = 100
SWEEP_THREADS = 16  # blocking HTTP calls: threads wait, they do not compute
# Finished deliveries (delivered or failed) are kept this long for the page's history and
# "Send again"; pending ones are kept until they finish, however old.
KEEP_FINISHED = timedelta(days=30)


@dataclass(frozen=True)
class Attempt:
    ok: bool
    status_code: int | None = None
    error: str = ""


def outbound_transport() -> httpx.BaseTransport:
    """Public addresses only; loopback too when the operator allows a local receiver
    (STORYBOARD_WEBHOOKS_ALLOW_LOOPBACK). Private networks stay refused either way."""
    return checked_transport(allow_loopback=settings.STORYBOARD_WEBHOOKS_ALLOW_LOOPBACK)


def _free() -> Q:
    now = timezone.now()
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def claim(delivery_id) -> Delivery | None:
    now = timezone.now()
    taken = Delivery.objects.filter(_free(), pk=delivery_id, status=Delivery.Status.PENDING,
                                    next_attempt_at__lte=now).update(claimed_until=now + LEASE)
    if not taken:
        return None
    return Delivery.objects.select_related("webhook").get(pk=delivery_id)


def post(url: str, secret: str, delivery: Delivery) -> Attempt:
    """One attempt, no database: safe to run in a thread."""
    why = refusal(url)
    if why:
        return Attempt(False, error=f"not sent, the URL is refused: {why[0].lower()}{why[1:]}")
    body = delivery.body.encode()
    headers = {"Content-Type": "application/json",
               signing.EVENT_HEADER: delivery.event, signing.DELIVERY_HEADER: str(delivery.id),
               **signing.signed_headers(secret, body)}
    try:
        with build_client(transport=outbound_transport(), timeout=httpx.Timeout(SEND_TIMEOUT)
                          ) as client, \
                client.stream("POST", url, content=body, headers=headers) as response:
            answer = _start_of(response)
    except httpx.TimeoutException:
        return Attempt(False, error=f"no answer within {SEND_TIMEOUT:g} s")
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as error:
        refused = error.__cause__ if isinstance(error.__cause__, AddressRefused) else None
        return Attempt(False, error=str(refused or error) or type(error).__name__)
    code = response.status_code
    if 200 <= code < 300:
        return Attempt(True, code)
    if response.is_redirect:
        return Attempt(False, code, "answered with a redirect, which is not followed: give the "
                       "final address")
    reason = httpx.codes.get_reason_phrase(code)
    return Attempt(False, code, f"answered {code} {reason}: {answer}".strip().rstrip(":"))


def _start_of(response: httpx.Response) -> str:
    got = b""
    for chunk in response.iter_bytes(ANSWER_BYTES):
        got += chunk
        if len(got) >= ANSWER_BYTES:
            break
    return got[:200].decode("utf-8", "replace").strip()


def record(delivery: Delivery, attempt: Attempt) -> None:
    now = timezone.now()
    attempts = delivery.attempts + 1
    fields = {"attempts": attempts, "last_attempt_at": now, "claimed_until": None,
              "last_status_code": attempt.status_code, "last_error": attempt.error[:500]}
    if attempt.ok:
        fields.update(status=Delivery.Status.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif attempts >= MAX_ATTEMPTS:
        fields.update(status=Delivery.Status.FAILED, next_attempt_at=None)
    else:
        fields.update(next_attempt_at=now + BACKOFF[attempts - 1])
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)


def _secret(delivery: Delivery) -> str | None:
    try:
        return delivery.webhook.secret()
    except CredentialsUnreadable:
        return None


def _attempt(delivery: Delivery, secret: str | None) -> Attempt:
    if secret is None:
        return Attempt(False, error="the webhook's secret cannot be read (was "
                       "STORYBOARD_CREDENTIALS_KEY changed?): delete it and add it again")
    return post(delivery.webhook.url, secret, delivery)


def send_delivery(delivery_id: str) -> str:
    """django-q2 task: one attempt of one delivery, if it is due and nobody else holds it."""
    delivery = claim(delivery_id)
    if delivery is None:
        return "not claimed"
    record(delivery, _attempt(delivery, _secret(delivery)))
    return delivery.status


def send_due_deliveries() -> int:
    """The recurring sweep (storyboard/schedules.py): every delivery whose next attempt is due,
    sent concurrently. Returns how many were attempted."""
    due = list(Delivery.objects.filter(_free(), status=Delivery.Status.PENDING,
                                       next_attempt_at__lte=timezone.now())
               .order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    claimed = [d for d in (claim(pk) for pk in due) if d is not None]
    secrets = [_secret(d) for d in claimed]  # database reads stay in this thread
    with ThreadPoolExecutor(max_workers=SWEEP_THREADS) as pool:
        attempts = list(pool.map(_attempt, claimed, secrets))
    for delivery, attempt in zip(claimed, attempts, strict=True):
        record(delivery, attempt)
    return len(claimed)


def prune_deliveries() -> int:
    """The recurring clean-up (storyboard/schedules.py): finished deliveries older than
    KEEP_FINISHED go, so a busy endpoint's history does not grow without end. Returns how many
    were deleted."""
    cutoff = timezone.now() - KEEP_FINISHED
    deleted, _ = Delivery.objects.filter(
        status__in=[Delivery.Status.DELIVERED, Delivery.Status.FAILED],
        created_at__lt=cutoff).delete()
    return deleted
