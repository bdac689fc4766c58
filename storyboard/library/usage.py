""""Where used": who uses an image, a video or an element, so the library can show it and refuse
to delete something in use.

Other apps add what they know by registering a finder, e.g. in the boards app's `ready()`:

    from storyboard.library.usage import Use, register

    @register("element")
    def storyboards_using(element):
        for board in Storyboard.objects.filter(slots__element_version__element=element):
            yield Use("storyboard", f"storyboard “{board.title}”", board.get_absolute_url())

Kinds: "image" (ReferenceImage), "video" (ReferenceVideo), "element" (Element).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Use:
    what: str  # "element", "storyboard", "job", …
    label: str  # shown to the user, e.g. element “Mara” (versions 1, 2)
    url: str = ""


Finder = Callable[[object], Iterable[Use]]
_FINDERS: dict[str, list[Finder]] = {"image": [], "video": [], "element": []}


def register(kind: str) -> Callable[[Finder], Finder]:
    if kind not in _FINDERS:
        raise ValueError(f"unknown kind {kind!r}; one of {sorted(_FINDERS)}")

    def decorator(finder: Finder) -> Finder:
        if finder not in _FINDERS[kind]:
            _FINDERS[kind].append(finder)
        return finder

    return decorator


def unregister(kind: str, finder: Finder) -> None:
    if finder in _FINDERS[kind]:
        _FINDERS[kind].remove(finder)


def uses_of(kind: str, obj) -> list[Use]:
    return [use for finder in _FINDERS[kind] for use in finder(obj)]


def describe(uses: list[Use], limit: int = 5) -> str:
    labels = [u.label for u in uses[:limit]]
    more = len(uses) - limit
    return ", ".join(labels) + (f" and {more} more" if more > 0 else "")


@register("image")
def elements_using_image(image) -> Iterable[Use]:
    from storyboard.library.models import ElementImage

    rows = (
        ElementImage.objects.filter(image=image)
        .select_related("version__element__current_version")
        .order_by("version__element_id", "version__number")
    )
    by_element: dict[int, tuple] = {}
    for row in rows:
        element = row.version.element
        by_element.setdefault(element.pk, (element, []))[1].append(row.version.number)
    for element, numbers in by_element.values():
        numbers = sorted(set(numbers))
        which = ("version " if len(numbers) == 1 else "versions ") + ", ".join(map(str, numbers))
        yield Use("element", f"element “{element}” ({which})",
                  reverse("library:element_detail", args=[element.pk]))
