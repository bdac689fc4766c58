"""The audit log: who did what to a team's people, accounts, spending and sharing, when and from
where. One row per change, written by the action in the change's own transaction
(storyboard/audit/actions.py: record), so a change that rolls back leaves no row and a change
never lands without its row."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from storyboard.teams.models import Team


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        ACCOUNT_ADDED = "account_added", "Provider account added"
        ACCOUNT_CHANGED = "account_changed", "Provider account changed"
        CREDENTIALS_CHANGED = "credentials_changed", "Credentials changed"
        ACCOUNT_REMOVED = "account_removed", "Provider account removed"
        INVITATION_CREATED = "invitation_created", "Invitation created"
        INVITATION_REVOKED = "invitation_revoked", "Invitation withdrawn"
        MEMBER_JOINED = "member_joined", "Member joined"
        ROLE_CHANGED = "role_changed", "Role changed"
        MEMBER_REMOVED = "member_removed", "Member removed"
        CAP_CHANGED = "cap_changed", "Spending cap changed"
        RATE_CARD_CHANGED = "rate_card_changed", "Rate card changed"
        JOB_SUBMITTED = "job_submitted", "Paid submission"
        JOB_REQUEUED = "job_requeued", "Job handed to the worker again"
        CLIP_APPROVED = "clip_approved", "Take approved"
        RETAKE_REQUESTED = "retake_requested", "Retake requested"
        SHARE_CREATED = "share_created", "Share link created"
        SHARE_REVOKED = "share_revoked", "Share link revoked"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"

    # Empty for a server-wide event. A deleted team takes its log with it: what is left would
    # name no team and read as server-wide.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="audit_events")
    # The account that acted; kept as text in actor_label too, so the row still says who it
    # was after the account is deleted ("api token render farm", "guest Ana", "command line").
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    actor_label = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # What was changed, described as it was then: the object may be gone by the time anyone
    # reads the row (a removed account, a revoked token).
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_text = models.CharField(max_length=200, blank=True)
    # Facts about the change (a role before and after, an estimated cost). Never a credential,
    # token or password: record() refuses keys that name one.
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The owners' page: newest first by team, filtered by person or kind.
            models.Index(fields=["team", "-created_at", "-id"], name="audit_team_created"),
            models.Index(fields=["team", "actor", "-created_at"], name="audit_team_actor"),
            models.Index(fields=["team", "kind", "-created_at"], name="audit_team_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target_text} by {self.actor_label}"
