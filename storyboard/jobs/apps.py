from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "storyboard.jobs"
    label = "jobs"

    def ready(self):
        from storyboard.jobs.usage import register_finders

        register_finders()
