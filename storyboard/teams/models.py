from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from storyboard.teams.roles import Role, role_can

# Monthly spending caps are in the rate card's unit (storyboard/jobs/spending.py judges them).
CAP_DIGITS, CAP_PLACES = 14, 4


class Team(models.Model):
    name = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)
    # No cap when empty. An owner sets it on the Usage page.
    monthly_cap = models.DecimalField(max_digits=CAP_DIGITS, decimal_places=CAP_PLACES,
                                      null=True, blank=True)
    # The month ("2025-06") whose 80 % notice of the team's cap was given, so it is given once;
    # and the latest such notice (team or account cap) with its time, which owners are shown
    # once each (storyboard/usage/middleware.py).
    cap_notice_month = models.CharField(max_length=7, blank=True)
    spend_notice = models.CharField(max_length=400, blank=True)
    spend_notice_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team_user")
        ]
        ordering = ["team__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    def can(self, permission: str) -> bool:
        return role_can(self.role, permission)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(used_at__isnull=True, revoked_at__isnull=True,
                           expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A one-time link that makes whoever opens it a member with `role`.

    Only a hash of the token is stored: the link is shown once, to the owner who made it.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    note = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation to {self.team} as {self.role}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, hash_token(token)

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


def _dialect_choices():
    from storyboard.providers.registry import LABELS

    return list(LABELS.items())


class ProviderAccount(models.Model):
    """A team's account with one of the Kling Omni vendors. Credentials are encrypted at rest
    (teams/crypto.py), never rendered back and never logged."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="provider_accounts")
    dialect = models.CharField(max_length=16, choices=_dialect_choices)
    label = models.CharField(max_length=60)
    credentials_encrypted = models.TextField(blank=True)
    base_url = models.CharField(max_length=300, blank=True,
                                help_text="Empty: the vendor's own address.")
    max_jobs = models.PositiveSmallIntegerField(default=2)
    vip = models.BooleanField(default=False)
    sandbox = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    tested_at = models.DateTimeField(null=True, blank=True)
    test_ok = models.BooleanField(null=True)
    test_message = models.CharField(max_length=500, blank=True)
    # No cap when empty; set on the account form. The month of its 80 % notice, as on Team.
    monthly_cap = models.DecimalField(max_digits=CAP_DIGITS, decimal_places=CAP_PLACES,
                                      null=True, blank=True)
    cap_notice_month = models.CharField(max_length=7, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "label"], name="account_label_unique_in_team")
        ]
        ordering = ["label", "id"]

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"<ProviderAccount {self.pk} {self.dialect} {self.label!r}>"

    @property
    def effective_base_url(self) -> str:
        from storyboard.providers.registry import PROVIDERS

        return self.base_url or PROVIDERS[self.dialect].default_base_url

    def credentials(self) -> dict[str, str]:
        from storyboard.teams.crypto import decrypt_credentials

        return decrypt_credentials(self.credentials_encrypted)

    def credential_names(self) -> list[str]:
        """Which credentials are saved (their names only; none when they cannot be read)."""
        from storyboard.teams.crypto import CredentialsUnreadable

        try:
            return sorted(k for k, v in self.credentials().items() if v)
        except CredentialsUnreadable:
            return []

    def as_provider_account(self):
        from storyboard.providers.base import Account

        return Account(self.dialect, self.effective_base_url, self.credentials(),
                       sandbox=self.sandbox, vip=self.vip, label=self.label)
