from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "storyboard.jobs"
    label = "jobs"

    def ready(self):
        from django_q.signals import post_spawn

        from storyboard.jobs import ticker
        from storyboard.jobs.usage import register_finders

        register_finders()
        # Each worker process runs due schedules every few seconds (jobs/ticker.py says why).
        post_spawn.connect(ticker.start, dispatch_uid="storyboard-schedule-ticker")
