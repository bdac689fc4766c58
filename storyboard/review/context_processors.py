from django.utils.functional import SimpleLazyObject

from storyboard.review.queue import awaiting


def review_queue(request):
    """The count beside "Review" in the navigation, for those who decide. Lazy: one COUNT
    query, only when a page actually shows the navigation."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can("review"):
        return {"review_waiting": 0}
    return {"review_waiting": SimpleLazyObject(lambda: awaiting(membership.team).count())}
