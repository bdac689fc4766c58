"""What a person reads when a job fails: one plain lead sentence of ours per kind of failure,
then the provider's own words (the adapters hand those over cleaned, as `ProviderError.message`
or a failed task's `reason`). Nothing is said twice."""

from __future__ import annotations

import re

from storyboard.jobs.models import Failure
from storyboard.providers import base as p

FAILURE_OF = {
    p.Failure.MODERATION: Failure.MODERATION, p.Failure.REJECTED: Failure.REJECTED,
    p.Failure.AUTHENTICATION: Failure.AUTHENTICATION, p.Failure.CREDITS: Failure.CREDITS,
    p.Failure.NOT_FOUND: Failure.PROVIDER_ERROR, p.Failure.PROVIDER_FAULT: Failure.PROVIDER_ERROR,
    p.Failure.RATE_LIMITED: Failure.PROVIDER_ERROR, p.Failure.NETWORK: Failure.PROVIDER_ERROR,
}

# A refused call (create, poll, upload).
CALL_LEADS = {
    p.Failure.MODERATION: "Refused by the provider's content moderation.",
    p.Failure.REJECTED: "The provider refused the request.",
    p.Failure.AUTHENTICATION: "The provider refused the account's credentials.",
    p.Failure.CREDITS: "The provider account is out of credits or quota.",
    p.Failure.NOT_FOUND: "The provider could not find something the job refers to.",
    p.Failure.RATE_LIMITED: "The provider kept answering that it is busy.",
    p.Failure.NETWORK: "The provider could not be reached.",
    p.Failure.PROVIDER_FAULT: "The provider failed.",
}
# A task the provider accepted and then ended failed.
TASK_LEADS = {
    p.Failure.MODERATION: "The provider's content moderation stopped the video.",
    p.Failure.CREDITS: "The provider account ran out of credits or quota for the video.",
    p.Failure.NOT_FOUND: ("The provider no longer knows this task: it was deleted, refused by "
                          "moderation, or the account ran out of credits."),
}
TASK_FAILED = "The provider says the video failed."

CREDENTIALS_UNREADABLE = ("The saved credentials cannot be read: enter them again under Team "
                          "settings.")
# The job's provider account is gone (removed while the job ran, through a race or the admin;
# Team settings refuses that): nothing is left to send it, follow it or fetch its clip with.
ACCOUNT_REMOVED = ("The account was removed: this job's provider account no longer exists, so "
                   "the job can no longer be sent, followed or downloaded.")
# Every link the provider gave answered as expired, and polling again brought no other one
# (or the provider gives a link only once).
LINK_EXPIRED = "The provider's download link had expired and no fresh one came back."


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _same(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"[\s.!?:;,]+", " ", s).strip().casefold()
    return norm(a) == norm(b)


def plain(lead: str, words: str = "") -> str:
    """`lead` followed by the provider's words, without any sentence of theirs that repeats
    the lead or an earlier one (an adapter or gateway may have already said it)."""
    kept: list[str] = []
    for sentence in _sentences(words or ""):
        if not _same(sentence, lead) and not any(_same(sentence, k) for k in kept):
            kept.append(sentence)
    return " ".join([lead, *kept])


def call_failed(error: p.ProviderError) -> str:
    return plain(CALL_LEADS.get(error.kind, CALL_LEADS[p.Failure.PROVIDER_FAULT]), error.message)


def task_failed(status: p.TaskStatus) -> str:
    if status.failure == p.Failure.NOT_FOUND:
        # The adapter's reason for a vanished task only restates what the lead says.
        return TASK_LEADS[p.Failure.NOT_FOUND]
    return plain(TASK_LEADS.get(status.failure, TASK_FAILED), status.reason)
