from django.apps import AppConfig
from django.core.signals import setting_changed
from django.db.models.signals import post_migrate

# The settings the outbound client reads once at start-up; changed at run time (studio naming
# its sandbox, a test's settings override) they are passed on again.
OUTBOUND_SETTINGS = ("STORYBOARD_BLOCKED_NETWORKS", "STORYBOARD_SANDBOX_URL",
                     "STORYBOARD_ALLOW_ANY_SANDBOX")


def configure_outbound(**kwargs) -> None:
    from django.conf import settings

    from storyboard.providers import http

    if kwargs.get("setting", OUTBOUND_SETTINGS[0]) not in OUTBOUND_SETTINGS:
        return
    http.set_blocked_networks(settings.STORYBOARD_BLOCKED_NETWORKS)
    http.set_sandbox(settings.STORYBOARD_SANDBOX_URL,
                     allow_any=settings.STORYBOARD_ALLOW_ANY_SANDBOX)


class TeamsConfig(AppConfig):
    name = "storyboard.teams"
    label = "teams"
    verbose_name = "Teams"

    def ready(self):
        from storyboard.teams.signals import register_schedules

        configure_outbound()
        setting_changed.connect(configure_outbound, dispatch_uid="storyboard-outbound")

        # After `migrate`, so a deployment that only runs migrations still gets its schedules.
        post_migrate.connect(register_schedules, sender=self, dispatch_uid="storyboard-schedules")
