from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "storyboard.audit"
    label = "audit"
    verbose_name = "Audit log"
