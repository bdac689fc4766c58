from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TeamsConfig(AppConfig):
    name = "storyboard.teams"
    label = "teams"
    verbose_name = "Teams"

    def ready(self):
        from django.conf import settings

        from storyboard.providers import http
        from storyboard.teams.signals import register_schedules

        http.set_blocked_networks(settings.STORYBOARD_BLOCKED_NETWORKS)

        # After `migrate`, so a deployment that only runs migrations still gets its schedules.
        post_migrate.connect(register_schedules, sender=self, dispatch_uid="storyboard-schedules")
