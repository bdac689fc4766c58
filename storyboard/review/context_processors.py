from django.utils.functional import SimpleLazyObject

from storyboard.review.queue import awaiting

COUNT_CAP = 100


def review_queue(request):
    """The count beside "Review" in the navigation, for those who decide ("99+" past that: the
    count stops at 100 rows, so it stays cheap however long the queue). Lazy: one query, only
    when a page actually shows the navigation."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can("review"):
        return {"review_waiting": ""}

    def count() -> str:
        n = awaiting(membership.team)[:COUNT_CAP].count()
        return "" if n == 0 else f"{COUNT_CAP - 1}+" if n >= COUNT_CAP else str(n)

    return {"review_waiting": SimpleLazyObject(count)}
