from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "storyboard.review"
    label = "review"
