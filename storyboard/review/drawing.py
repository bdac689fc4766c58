"""Drawings on the frame of a comment: what a drawing may hold (checked strictly, here and only
here), and its SVG. Pure Python, no Django: the review actions, the templates and the tests use
it alike.

A drawing is vector data, never an image: {"shapes": [{"kind", "colour", "points"}]}, the
points [x, y] normalised to the frame (0..1 from the left / top edge), so it fits the video at
any size. A pen stroke has 2 to MAX_PEN_POINTS points; an arrow has two (tail, head); a
rectangle two opposite corners. review.js draws them over the video with the same geometry as
`svg` below (arrow heads, stroke widths): change both together."""

from __future__ import annotations

import html
import json
import math

# The palette, as a guest or a member picks it; stored by name, drawn with these values.
PALETTE = {"red": "#ff453a", "yellow": "#ffd60a", "green": "#30d158", "white": "#ffffff"}
COLOUR_LABELS = {"red": "Red", "yellow": "Yellow", "green": "Green", "white": "White"}
KINDS = ("pen", "arrow", "rect")
KIND_NAMES = {"pen": ("pen stroke", "pen strokes"), "arrow": ("arrow", "arrows"),
              "rect": ("rectangle", "rectangles")}

MAX_SHAPES = 50
MAX_PEN_POINTS = 500
MAX_CHARS = 100_000  # of the JSON as posted: a full drawing of coarse strokes fits easily
DECIMALS = 4  # a ten-thousandth of the frame: finer than a pixel of a 4K picture

# Geometry shared with static/review/drawing.js.
ARROW_HEAD = 0.035  # of the frame's longer side
ARROW_HEAD_MAX = 0.45  # of the arrow's own length, so a short arrow keeps a small head
ARROW_ANGLE = math.radians(28)


class DrawingError(ValueError):
    """Refused: the message names the field ("Drawing: …") and the limit."""


def _refuse(message: str) -> DrawingError:
    return DrawingError(f"Drawing: {message}")


def _constant(name: str):
    raise _refuse(f"{name} is not a number; coordinates are numbers from 0 to 1.")


def _coordinate(value, where: str) -> float:
    # bool is an int in Python; true/false are not coordinates.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _refuse(f"{where}: coordinates are numbers from 0 to 1.")
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise _refuse(f"{where}: coordinates must be from 0 to 1 (the frame's edges).")
    return round(float(value), DECIMALS)


def _points(value, where: str) -> list[list[float]]:
    if not isinstance(value, list):
        raise _refuse(f"{where}: points must be a list of [x, y] pairs.")
    points = []
    for point in value:
        if not isinstance(point, list) or len(point) != 2:
            raise _refuse(f"{where}: each point is a pair [x, y].")
        points.append([_coordinate(point[0], where), _coordinate(point[1], where)])
    return points


def _shape(value, number: int) -> dict:
    where = f"shape {number}"
    if not isinstance(value, dict):
        raise _refuse(f"{where} is not a shape.")
    if set(value) != {"kind", "colour", "points"}:
        raise _refuse(f"{where}: a shape has exactly a kind, a colour and points.")
    kind, colour = value["kind"], value["colour"]
    if not isinstance(kind, str) or kind not in KINDS:
        raise _refuse(f"{where}: the kind must be pen, arrow or rect.")
    if not isinstance(colour, str) or colour not in PALETTE:
        raise _refuse(f"{where}: the colour must be one of {', '.join(PALETTE)}.")
    points = _points(value["points"], where)
    if kind == "pen" and not 2 <= len(points) <= MAX_PEN_POINTS:
        raise _refuse(f"{where}: a pen stroke has 2 to {MAX_PEN_POINTS} points "
                      f"(this one has {len(points):,}).")
    if kind != "pen" and len(points) != 2:
        raise _refuse(f"{where}: {'an arrow' if kind == 'arrow' else 'a rectangle'} has "
                      "exactly 2 points.")
    return {"kind": kind, "colour": colour, "points": points}


def clean_drawing(value) -> dict | None:
    """A decoded drawing, checked; None when it has no shapes. Raises DrawingError."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"shapes"}:
        raise _refuse('expected {"shapes": […]}.')
    shapes = value["shapes"]
    if not isinstance(shapes, list):
        raise _refuse("shapes must be a list.")
    if len(shapes) > MAX_SHAPES:
        raise _refuse(f"at most {MAX_SHAPES} shapes (this one has {len(shapes):,}).")
    cleaned = [_shape(shape, number) for number, shape in enumerate(shapes, start=1)]
    return {"shapes": cleaned} if cleaned else None


def parse_drawing(text) -> dict | None:
    """The drawing field as posted (JSON text; empty: no drawing), checked. Raises
    DrawingError with a message for people."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise _refuse("expected the drawing as JSON text.")
    if not text.strip():
        return None
    if len(text) > MAX_CHARS:
        raise _refuse(f"at most {MAX_CHARS:,} characters of drawing data "
                      f"(this one has {len(text):,}); draw fewer or shorter strokes.")
    try:
        value = json.loads(text, parse_constant=_constant)
    except DrawingError:
        raise
    except (ValueError, RecursionError):  # not JSON, or nested past any real drawing
        raise _refuse("not a drawing (the data is not valid JSON).") from None
    return clean_drawing(value)


def describe(drawing) -> str:
    """'Drawing: 2 pen strokes, 1 arrow' — the label of its SVG."""
    counts = {kind: 0 for kind in KINDS}
    for shape in (drawing or {}).get("shapes", []):
        if isinstance(shape, dict) and shape.get("kind") in counts:
            counts[shape["kind"]] += 1
    parts = [f"{n} {KIND_NAMES[kind][n != 1]}" for kind, n in counts.items() if n]
    return "Drawing: " + (", ".join(parts) if parts else "empty")


# SVG ------------------------------------------------------------------------------------------

def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _scaled(points, width: float, height: float) -> list[tuple[float, float]] | None:
    """Points in the SVG's units, or None for anything that is not a list of number pairs
    from 0 to 1 (nothing but checked numbers ever reaches the markup)."""
    scaled = []
    for point in points if isinstance(points, list) else ():
        if not isinstance(point, list) or len(point) != 2:
            return None
        x, y = point
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
               or not 0 <= v <= 1 for v in (x, y)):
            return None
        scaled.append((x * width, y * height))
    return scaled


def arrow_head(tail, head, longer_side: float) -> list[tuple[float, float]]:
    """The two barbs and the tip of an arrow's head, in the SVG's units."""
    dx, dy = head[0] - tail[0], head[1] - tail[1]
    length = math.hypot(dx, dy)
    size = min(ARROW_HEAD * longer_side, ARROW_HEAD_MAX * length)
    angle = math.atan2(dy, dx)
    left = (head[0] - size * math.cos(angle - ARROW_ANGLE),
            head[1] - size * math.sin(angle - ARROW_ANGLE))
    right = (head[0] - size * math.cos(angle + ARROW_ANGLE),
             head[1] - size * math.sin(angle + ARROW_ANGLE))
    return [left, head, right]


def _pairs(points) -> str:
    return " ".join(f"{_number(x)},{_number(y)}" for x, y in points)


def _element(shape, width: float, height: float, stroke: float) -> str:
    if not isinstance(shape, dict):
        return ""
    colour = PALETTE.get(shape.get("colour")) if isinstance(shape.get("colour"), str) else None
    kind = shape.get("kind")
    points = _scaled(shape.get("points"), width, height)
    if colour is None or kind not in KINDS or not points or len(points) < 2:
        return ""
    paint = (f'fill="none" stroke="{colour}" stroke-width="{_number(stroke)}" '
             'stroke-linecap="round" stroke-linejoin="round" vector-effect="non-scaling-stroke"')
    if kind == "pen":
        return f'<polyline points="{_pairs(points)}" {paint}/>'
    (x1, y1), (x2, y2) = points[0], points[1]
    if kind == "rect":
        return (f'<rect x="{_number(min(x1, x2))}" y="{_number(min(y1, y2))}" '
                f'width="{_number(abs(x2 - x1))}" height="{_number(abs(y2 - y1))}" {paint}/>')
    head = arrow_head((x1, y1), (x2, y2), max(width, height))
    return (f'<line x1="{_number(x1)}" y1="{_number(y1)}" x2="{_number(x2)}" '
            f'y2="{_number(y2)}" {paint}/><polyline points="{_pairs(head)}" {paint}/>')


def svg(drawing, width: int, height: int, *, stroke: float = 2, css_class: str = "drawing",
        label: str | None = None) -> str:
    """The drawing as an SVG element sized to a `width` × `height` frame (the clip's), scaled
    by the page like the video is. Built from checked numbers and the palette alone — no text
    of the drawing reaches it — so it is safe to put in a page as it is."""
    width = width if isinstance(width, (int, float)) and width > 0 else 16
    height = height if isinstance(height, (int, float)) and height > 0 else 9
    shapes = (drawing or {}).get("shapes", []) if isinstance(drawing, dict) else []
    body = "".join(_element(shape, width, height, stroke)
                   for shape in (shapes if isinstance(shapes, list) else []))
    name = html.escape(label if label is not None else describe(drawing), quote=True)
    box = f"0 0 {_number(width)} {_number(height)}"
    return (f'<svg class="{html.escape(css_class, quote=True)}" viewBox="{box}" role="img" '
            f'aria-label="{name}" focusable="false" '
            f'xmlns="http://www.w3.org/2000/svg">{body}</svg>')
