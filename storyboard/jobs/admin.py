"""Jobs and clips in the operators' admin: read-only (every write of a job goes through the
actions and the worker), plus "Re-queue", which hands jobs to the worker under its claim rules
(storyboard/jobs/requeue.py)."""

from __future__ import annotations

from django.contrib import admin, messages

from storyboard.admin_site import ReadOnly
from storyboard.jobs.models import Clip, Job
from storyboard.jobs.requeue import requeue_jobs


@admin.register(Job)
class JobAdmin(ReadOnly):
    list_display = ("short_id", "title", "team", "state", "dialect", "model", "account",
                    "needs_attention", "created_at", "claimed_until", "next_attempt_at")
    list_filter = ("state", "dialect", "needs_attention", "failure")
    search_fields = ("id", "title", "remote_task_id", "team__name")
    list_select_related = ("team", "account")
    exclude = ("callback_secret",)  # it authenticates the provider's callbacks
    actions = ["requeue"]
    ordering = ("-created_at",)

    @admin.action(description="Re-queue: hand to the worker again (safe states only)",
                  permissions=["view"])
    def requeue(self, request, queryset):
        outcome = requeue_jobs(list(queryset))
        if outcome.requeued:
            names = ", ".join(job.short_id for job in outcome.requeued)
            self.message_user(request, f"Handed to the worker again: {len(outcome.requeued)} "
                              f"({names}).", messages.SUCCESS)
        for job, reason in outcome.skipped:
            self.message_user(request, f"Skipped job {job.short_id} ({job.title}): {reason}.",
                              messages.WARNING)


@admin.register(Clip)
class ClipAdmin(ReadOnly):
    list_display = ("id", "job", "team", "seconds", "width", "height", "byte_size",
                    "created_at")
    search_fields = ("job__title", "sha256")
    list_select_related = ("job", "team")
