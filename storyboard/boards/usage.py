"""Tells the library which of the owner's storyboards use an image, a video or an element.
Another team's storyboards never hold the owner's things: deleting lets go of them there
(library/actions.py)."""

from storyboard.library.usage import Use, register


def _uses(boards):
    for board in boards.distinct():
        yield Use("storyboard", f"storyboard “{board.title}”", board.get_absolute_url())


def register_finders() -> None:
    from storyboard.boards.models import Storyboard

    def own(item):
        return Storyboard.objects.filter(team=item.team_id)

    register("image")(lambda image: _uses(own(image).filter(slots__image=image)))
    register("video")(lambda video: _uses(own(video).filter(slots__video=video)))
    register("element")(lambda element: _uses(
        own(element).filter(slots__element_version__element=element)))
