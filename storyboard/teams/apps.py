from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TeamsConfig(AppConfig):
    name = "storyboard.teams"
    label = "teams"
    verbose_name = "Teams"

    def ready(self):
        from storyboard.teams.signals import register_schedules

        # After `migrate`, so a deployment that only runs migrations still gets its schedules.
        post_migrate.connect(register_schedules, sender=self, dispatch_uid="storyboard-schedules")
