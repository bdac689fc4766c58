"""Tells the library which storyboards use an image, a video or an element."""

from storyboard.library.usage import Use, register


def _uses(boards):
    for board in boards.distinct():
        yield Use("storyboard", f"storyboard “{board.title}”", board.get_absolute_url())


def register_finders() -> None:
    from storyboard.boards.models import Storyboard

    register("image")(lambda image: _uses(Storyboard.objects.filter(slots__image=image)))
    register("video")(lambda video: _uses(Storyboard.objects.filter(slots__video=video)))
    register("element")(lambda element: _uses(
        Storyboard.objects.filter(slots__element_version__element=element)))
