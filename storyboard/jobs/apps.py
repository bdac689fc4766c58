from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "storyboard.jobs"
    label = "jobs"
