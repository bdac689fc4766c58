"""A drawing on the frame is checked strictly (kinds, palette colours, coordinates from 0 to 1,
at most 50 shapes, 500 points a pen stroke, 100,000 characters) with a message naming the
drawing and the limit, and its SVG is built from checked numbers and the palette alone."""

import json
import re

import pytest

from storyboard.review import drawing
from storyboard.review.drawing import (
    MAX_CHARS,
    MAX_PEN_POINTS,
    MAX_SHAPES,
    DrawingError,
    clean_drawing,
    describe,
    parse_drawing,
    svg,
)


def pen(points=((0.1, 0.1), (0.2, 0.25)), colour="red"):
    return {"kind": "pen", "colour": colour, "points": [list(p) for p in points]}


def text(*shapes) -> str:
    return json.dumps({"shapes": list(shapes)})


def test_a_pen_stroke_an_arrow_and_a_rectangle_come_back_checked_and_rounded():
    value = parse_drawing(text(
        pen(((0, 0), (0.123456789, 1))),
        {"kind": "arrow", "colour": "yellow", "points": [[0.2, 0.8], [0.5, 0.5]]},
        {"kind": "rect", "colour": "white", "points": [[0.9, 0.9], [0.6, 0.7]]}))
    assert value == {"shapes": [
        {"kind": "pen", "colour": "red", "points": [[0.0, 0.0], [0.1235, 1.0]]},
        {"kind": "arrow", "colour": "yellow", "points": [[0.2, 0.8], [0.5, 0.5]]},
        {"kind": "rect", "colour": "white", "points": [[0.9, 0.9], [0.6, 0.7]]}]}
    assert all(isinstance(c, float) for s in value["shapes"] for p in s["points"] for c in p)


@pytest.mark.parametrize("empty", [None, "", "   ", '{"shapes": []}'])
def test_no_drawing_is_none(empty):
    assert parse_drawing(empty) is None


@pytest.mark.parametrize(("posted", "message"), [
    ("[]", 'expected {"shapes": […]}'),
    ('"a drawing"', 'expected {"shapes": […]}'),
    ("5", 'expected {"shapes": […]}'),
    ("null", None),  # JSON null: no drawing
    ('{"shapes": {}}', "shapes must be a list"),
    ('{"shapes": [], "script": 1}', 'expected {"shapes": […]}'),
    ('{"shapes": ["pen"]}', "shape 1 is not a shape"),
    (text({"kind": "circle", "colour": "red", "points": [[0, 0], [1, 1]]}),
     "shape 1: the kind must be pen, arrow or rect"),
    (text(pen(colour="#ff0000")), "shape 1: the colour must be one of red, yellow, green, white"),
    (text(pen(colour="red\" onload=\"x")), "the colour must be one of"),
    (text({"kind": "pen", "colour": "red", "points": [[0, 0]], "href": "x"}),
     "exactly a kind, a colour and points"),
    (text({"kind": "pen", "colour": "red", "points": "0,0 1,1"}), "points must be a list"),
    (text(pen(((0.1, 0.1, 0.1), (0.2, 0.2)))), "each point is a pair [x, y]"),
    (text(pen((("0.1", 0.1), (0.2, 0.2)))), "coordinates are numbers from 0 to 1"),
    (text(pen(((True, 0.1), (0.2, 0.2)))), "coordinates are numbers from 0 to 1"),
    (text(pen(((None, 0.1), (0.2, 0.2)))), "coordinates are numbers from 0 to 1"),
    (text(pen(((1.5, 0.1), (0.2, 0.2)))), "coordinates must be from 0 to 1"),
    (text(pen(((-0.01, 0.1), (0.2, 0.2)))), "coordinates must be from 0 to 1"),
    ('{"shapes": [{"kind": "pen", "colour": "red", "points": [[NaN, 0], [0, 0]]}]}',
     "NaN is not a number"),
    ('{"shapes": [{"kind": "pen", "colour": "red", "points": [[Infinity, 0], [0, 0]]}]}',
     "Infinity is not a number"),
    ('{"shapes": [{"kind": "pen", "colour": "red", "points": [[1e400, 0], [0, 0]]}]}',
     "coordinates must be from 0 to 1"),
    (text(pen(((0.1, 0.1),))), f"a pen stroke has 2 to {MAX_PEN_POINTS} points (this one has 1)"),
    (text({"kind": "arrow", "colour": "red", "points": [[0, 0], [1, 1], [0, 1]]}),
     "an arrow has exactly 2 points"),
    (text({"kind": "rect", "colour": "red", "points": [[0, 0]]}),
     "a rectangle has exactly 2 points"),
    ('{"shapes": [{"kind": "pen\\u0000", "colour": "red", "points": [[0, 0], [1, 1]]}]}',
     "the kind must be pen, arrow or rect"),
    ('{"shapes": [\x00]}', "not valid JSON"),
    ("{'shapes': []}", "not valid JSON"),
    ("[" * 50_000, "not valid JSON"),  # nested past the decoder's depth
])
def test_bad_drawings_are_refused_with_a_message_naming_the_drawing(posted, message):
    if message is None:
        assert parse_drawing(posted) is None
        return
    with pytest.raises(DrawingError) as refused:
        parse_drawing(posted)
    assert str(refused.value).startswith("Drawing: ")
    assert message in str(refused.value)


def test_the_limits_are_named_with_the_count():
    with pytest.raises(DrawingError, match=rf"at most {MAX_SHAPES} shapes \(this one has 51\)"):
        parse_drawing(text(*[pen()] * (MAX_SHAPES + 1)))
    assert len(parse_drawing(text(*[pen()] * MAX_SHAPES))["shapes"]) == MAX_SHAPES
    long_stroke = pen([(n / 1000, 0.5) for n in range(MAX_PEN_POINTS + 1)])
    with pytest.raises(DrawingError, match=r"2 to 500 points \(this one has 501\)"):
        parse_drawing(text(long_stroke))
    assert parse_drawing(text(pen([(n / 1000, 0.5) for n in range(MAX_PEN_POINTS)])))
    huge = '{"shapes": []}' + " " * MAX_CHARS
    with pytest.raises(DrawingError, match=r"at most 100,000 characters of drawing data "
                                           r"\(this one has 100,014\)"):
        parse_drawing(huge)
    with pytest.raises(DrawingError, match="characters of drawing data"):
        parse_drawing("x" * 5_000_000)


def test_only_text_is_parsed():
    with pytest.raises(DrawingError, match="as JSON text"):
        parse_drawing({"shapes": []})
    with pytest.raises(DrawingError, match='expected {"shapes"'):
        clean_drawing([pen()])


def test_the_label_counts_the_shapes():
    assert describe({"shapes": [pen(), pen(), {"kind": "arrow"}]}) == \
        "Drawing: 2 pen strokes, 1 arrow"
    assert describe({"shapes": [{"kind": "rect"}]}) == "Drawing: 1 rectangle"
    assert describe(None) == "Drawing: empty"


def test_the_svg_is_the_frame_with_the_shapes_in_palette_colours():
    value = parse_drawing(text(
        pen(((0, 0), (0.5, 0.5), (1, 1))),
        {"kind": "arrow", "colour": "yellow", "points": [[0.25, 0.5], [0.75, 0.5]]},
        {"kind": "rect", "colour": "green", "points": [[0.75, 0.75], [0.25, 0.5]]}))
    markup = svg(value, 1280, 720)
    assert markup.startswith('<svg class="drawing" viewBox="0 0 1280 720" role="img" '
                             'aria-label="Drawing: 1 pen stroke, 1 arrow, 1 rectangle"')
    assert '<polyline points="0,0 640,360 1280,720" fill="none" stroke="#ff453a"' in markup
    assert '<line x1="320" y1="360" x2="960" y2="360" fill="none" stroke="#ffd60a"' in markup
    assert '<rect x="320" y="360" width="640" height="180" fill="none" stroke="#30d158"' in markup
    # The arrow's head: two barbs behind the tip, 3.5 % of the longer side, 28° off the shaft.
    head = re.search(r'<polyline points="([^"]+)"[^>]*stroke="#ffd60a"', markup).group(1)
    (lx, ly), tip, (rx, ry) = [tuple(map(float, p.split(","))) for p in head.split()]
    assert tip == (960, 360) and lx == rx and round(960 - lx, 1) == round(44.8 * 0.8829, 1)
    assert round(ly + ry, 6) == 720 and min(ly, ry) < 360 < max(ly, ry)


def test_nothing_of_an_unchecked_drawing_reaches_the_markup():
    """The renderer keeps to numbers and the palette even for data that skipped the check."""
    hostile = {"shapes": [
        {"kind": "pen", "colour": '"><script>alert(1)</script>', "points": [[0, 0], [1, 1]]},
        {"kind": "<script>", "colour": "red", "points": [[0, 0], [1, 1]]},
        {"kind": "pen", "colour": "red", "points": [["1)<script>", 0], [1, 1]]},
        {"kind": "rect", "colour": "red", "points": [[0, 0], [float("nan"), 1]]},
        {"kind": "rect", "colour": "red", "points": [[0, 0], [7, 1]]},
        {"kind": "arrow", "colour": "constructor", "points": [[0, 0], [1, 1]]},
        "<b>", None,
    ]}
    markup = svg(hostile, 1280, 720)
    assert "<script" not in markup and "alert" not in markup and "<b>" not in markup
    assert re.findall(r"<(\w+)", markup) == ["svg"]  # every shape was dropped
    assert svg({"shapes": "<x>"}, 1280, 720).count("<") == 2
    assert 'aria-label="a &lt;b&gt; &quot;c&quot;"' in svg(None, 16, 9, label='a <b> "c"')
    assert 'viewBox="0 0 16 9"' in svg(None, "<x>", None)


def test_the_palette_is_what_the_drawing_tools_offer():
    assert list(drawing.PALETTE) == ["red", "yellow", "green", "white"]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", value) for value in drawing.PALETTE.values())
