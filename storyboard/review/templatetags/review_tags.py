import json

from django import template
from django.utils.safestring import mark_safe

from storyboard.review import drawing as drawings
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


@register.simple_tag
def drawing_svg(drawing, width, height, label=None, css_class="drawing-thumb"):
    """A comment's drawing as SVG markup, sized to the clip's frame. Safe as it is: made of
    checked numbers and palette values only (storyboard/review/drawing.py: svg)."""
    return mark_safe(drawings.svg(drawing, width, height, css_class=css_class,  # noqa: S308
                                  label=label))


@register.filter
def drawing_json(drawing) -> str:
    """The drawing for review's drawing.js, in a data- attribute (the template escapes it)."""
    return json.dumps(drawing, separators=(",", ":")) if drawing else ""


@register.simple_tag
def drawing_palette() -> dict:
    """{"colours": [(name, label, value)], "json": the palette, and the limits}: the tools."""
    return {"colours": [(name, drawings.COLOUR_LABELS[name], value)
                        for name, value in drawings.PALETTE.items()],
            "json": json.dumps(drawings.PALETTE, separators=(",", ":")),
            "max_shapes": drawings.MAX_SHAPES, "max_points": drawings.MAX_PEN_POINTS,
            "max_chars": drawings.MAX_CHARS}
