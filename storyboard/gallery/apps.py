from django.apps import AppConfig


class GalleryConfig(AppConfig):
    name = "storyboard.gallery"
    label = "gallery"
