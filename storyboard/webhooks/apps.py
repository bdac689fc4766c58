from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "storyboard.webhooks"
    label = "webhooks"
