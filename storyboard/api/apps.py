from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "storyboard.api"
    label = "api"
    verbose_name = "HTTP API"
