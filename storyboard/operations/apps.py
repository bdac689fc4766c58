from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """What an operator runs the service with: /healthz, `doctor`, key rotation."""

    name = "storyboard.operations"
    label = "operations"
    verbose_name = "Operations"
