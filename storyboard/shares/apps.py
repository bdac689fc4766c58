from django.apps import AppConfig


class SharesConfig(AppConfig):
    name = "storyboard.shares"
    label = "shares"
