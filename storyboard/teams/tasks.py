from datetime import timedelta

from django.utils import timezone

from storyboard.teams.models import Invitation


def housekeeping() -> dict:
    """Drops invitations that ended (expired, used or withdrawn) more than 30 days ago and stale
    login-attempt records, so those tables stay small."""
    from axes.models import AccessAttempt

    cutoff = timezone.now() - timedelta(days=30)
    ended = (
        Invitation.objects.filter(expires_at__lt=cutoff)
        | Invitation.objects.filter(used_at__lt=cutoff)
        | Invitation.objects.filter(revoked_at__lt=cutoff)
    )
    invitations, _ = ended.delete()
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return {"invitations": invitations, "login_attempts": attempts}
