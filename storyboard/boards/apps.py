from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "storyboard.boards"
    label = "boards"

    def ready(self):
        from storyboard.boards.usage import register_finders

        register_finders()
