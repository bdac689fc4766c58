from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "storyboard.boards"
    label = "boards"
