from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "storyboard.library"
    label = "library"
