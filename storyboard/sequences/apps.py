from django.apps import AppConfig


class SequencesConfig(AppConfig):
    name = "storyboard.sequences"
    label = "sequences"
