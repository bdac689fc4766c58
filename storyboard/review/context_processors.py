from django.db.models import Exists, OuterRef, Q
from django.utils.functional import SimpleLazyObject

from storyboard.jobs.models import Clip
from storyboard.review.models import Comment

COUNT_CAP = 100


def review_queue(request):
    """The count beside "Review" in the navigation, for those who decide: clips awaiting a
    decision, and decided ones with guest comments newer than the decision ("99+" past that: the
    count stops at 100 rows, so it stays cheap however long the queue). Lazy: one query, only
    when a page actually shows the navigation."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can("review"):
        return {"review_waiting": ""}

    def count() -> str:
        guest_news = Exists(Comment.objects.filter(
            clip=OuterRef("pk"), share__isnull=False,
            created_at__gt=OuterRef("review__updated_at")))
        n = (Clip.objects.filter(team=membership.team, job__state="succeeded")
             .filter(Q(review__isnull=True) | guest_news)[:COUNT_CAP].count())
        return "" if n == 0 else f"{COUNT_CAP - 1}+" if n >= COUNT_CAP else str(n)

    return {"review_waiting": SimpleLazyObject(count)}
