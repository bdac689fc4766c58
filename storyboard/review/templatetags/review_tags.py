from django import template

from storyboard.review.models import Decision
from storyboard.review.timing import FrameRate, format_time_code

register = template.Library()


@register.filter
def timecode(seconds) -> str:
    """4.2 -> '0:04.2'."""
    try:
        return format_time_code(float(seconds))
    except (TypeError, ValueError):
        return ""


@register.filter
def smpte(seconds, rate: FrameRate) -> str:
    """4.2 at 24 fps -> '00:00:04:04' (hours:minutes:seconds:frames)."""
    try:
        return rate.time_code(float(seconds))
    except (TypeError, ValueError, AttributeError):
        return ""


@register.inclusion_tag("review/_notes.html")
def review_notes(board):
    """On the storyboard editor: the retake notes this revision answers (with the reviewer's
    time-coded comments on the take), and a link to all takes. A storyboard that is nobody's
    revision costs no query."""
    decisions = []
    if board is not None and board.parent_id:
        decisions = list(Decision.objects.filter(revision=board, kind=Decision.Kind.RETAKE)
                         .select_related("decided_by", "clip")
                         .prefetch_related("clip__comments__author"))
    return {"board": board, "decisions": decisions}
