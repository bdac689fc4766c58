"""Members who may comment attach a drawing on the frame to a comment; the team's review page
shows it as SVG in the comment list (and as data for drawing.js over the video), the editor of
a retake's revision sees it with the note; bad drawings get a message naming the drawing and
its limit, never a server error."""

import json
import re

import pytest
from django.template import Context, Template

from storyboard.review.actions import ReviewRefused, add_comment, request_retake
from storyboard.review.drawing import MAX_SHAPES
from storyboard.review.models import Comment

NINE = {"prompts": ("Gulls", "A lighthouse", "Waves"), "seconds": (3, 3, 3)}
ARROW = {"kind": "arrow", "colour": "yellow", "points": [[0.2, 0.7], [0.55, 0.4]]}
CIRCLED = {"kind": "pen", "colour": "red", "points": [[0.5, 0.3], [0.6, 0.35], [0.55, 0.45]]}
DRAWING = json.dumps({"shapes": [CIRCLED, ARROW]})


def post(client, clip, drawing, *, htmx=True, text="The pan starts late", seconds="4.2"):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/review/clips/{clip.pk}/comment/",
                       {"seconds": seconds, "text": text, "drawing": drawing}, **extra)


def test_a_reviewer_comments_at_4_2_s_with_a_drawing(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    response = post(client_for(cast.reviewer), clip, DRAWING)
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' not in html
    comment = Comment.objects.get()
    assert (comment.seconds, comment.shot) == (4.2, 2)
    assert comment.drawing == {"shapes": [CIRCLED, ARROW]}
    # The list shows the drawing as SVG, and hands its data to drawing.js (escaped).
    assert 'aria-label="Show the drawing at 0:04.2"' in html
    assert '<svg class="drawing-thumb" viewBox="0 0 1280 720" role="img" ' \
           'aria-label="Drawing: 1 pen stroke, 1 arrow"' in html
    assert 'stroke="#ff453a"' in html and 'stroke="#ffd60a"' in html
    data = re.search(r'data-drawing="([^"]+)"', html).group(1)
    assert data.startswith("{&quot;shapes&quot;:[{&quot;kind&quot;:&quot;pen&quot;")
    assert 'data-drawing-at="4.2" ' in html
    assert 'data-drawing-label="Drawing of the comment at 0:04.2"' in html
    # The form comes back empty: the drawing went with the comment.
    assert '<input type="hidden" name="drawing" id="c-drawing" value="">' in html


def test_a_comment_without_a_drawing_has_none(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    post(client_for(cast.editor), clip, "", htmx=False)
    post(client_for(cast.editor), clip, '{"shapes": []}', htmx=False)
    assert [c.drawing for c in Comment.objects.all()] == [None, None]
    html = client_for(cast.editor).get(f"/review/clips/{clip.pk}/").content.decode()
    assert "data-drawing=" not in html and "drawing-thumb" not in html


@pytest.mark.parametrize(("drawing", "message"), [
    ("not json", "Drawing: not a drawing (the data is not valid JSON)."),
    ("[1, 2]", 'Drawing: expected {"shapes": […]}.'),
    (json.dumps({"shapes": [{**ARROW, "kind": "arrow\x00"}]}),  # as JSON: \u0000
     "Drawing: shape 1: the kind must be pen, arrow or rect."),
    (json.dumps({"shapes": [{**ARROW, "colour": "purple"}]}),
     "Drawing: shape 1: the colour must be one of red, yellow, green, white."),
    (json.dumps({"shapes": [{**ARROW, "points": [[0.2, 1.7], [0.5, 0.5]]}]}),
     "Drawing: shape 1: coordinates must be from 0 to 1"),
    (json.dumps({"shapes": [ARROW] * (MAX_SHAPES + 1)}),
     "Drawing: at most 50 shapes (this one has 51)."),
    (json.dumps({"shapes": [{**CIRCLED, "points": [[0.5, 0.5]] * 501}]}),
     "Drawing: shape 1: a pen stroke has 2 to 500 points (this one has 501)."),
    ("{" + " " * 200_000 + "}", "Drawing: at most 100,000 characters of drawing data"),
])
def test_bad_drawings_are_refused_with_a_message_and_nothing_saved(
        cast, client_for, make_clip, drawing, message):
    clip = make_clip(**NINE)
    client = client_for(cast.reviewer)
    response = post(client, clip, drawing)
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html
    assert message.replace('"', "&quot;") in html
    assert not Comment.objects.exists()
    # The typed comment stays for another try; the drawing stays in the browser (drawing.js).
    assert "The pan starts late</textarea>" in html and 'value="4.2"' in html
    page = post(client, clip, drawing, htmx=False)
    assert page.status_code == 302
    text = client.get(page["Location"]).content.decode()
    assert message.replace('"', "&quot;") in text and not Comment.objects.exists()


def test_nul_characters_are_taken_out_before_the_drawing_is_read(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    response = post(client_for(cast.reviewer), clip, "\x00" + DRAWING.replace(":", ":\x00"))
    assert 'role="alert"' not in response.content.decode()
    assert Comment.objects.get().drawing == {"shapes": [CIRCLED, ARROW]}
    post(client_for(cast.reviewer), clip, "\x00" * 10)  # nothing left: no drawing
    assert Comment.objects.last().drawing is None


def test_a_posted_body_over_django_s_limit_is_refused_not_a_server_error(cast, client_for,
                                                                         make_clip):
    clip = make_clip(**NINE)
    response = post(client_for(cast.reviewer), clip, "[" * 3_000_000)
    assert response.status_code == 413 and not Comment.objects.exists()


def test_the_action_refuses_for_the_drawing_field(cast, make_clip):
    clip = make_clip(**NINE)
    with pytest.raises(ReviewRefused) as refused:
        add_comment(clip, cast.reviewer, 1, "x", drawing='{"shapes": 3}')
    assert refused.value.field == "drawing"


def test_drawing_tools_for_who_may_comment_and_the_overlay_for_everyone(cast, client_for,
                                                                        make_clip):
    clip = make_clip(**NINE)
    add_comment(clip, cast.reviewer, 4.2, "Here", drawing=DRAWING)
    for user, tools in ((cast.reviewer, True), (cast.editor, True), (cast.viewer, False)):
        html = client_for(user).get(f"/review/clips/{clip.pk}/").content.decode()
        assert ('aria-label="Drawing on the frame"' in html) is tools, user
        assert ('aria-pressed="false" title="Pauses' in html) is tools
        assert '<svg id="overlay" class="overlay" viewBox="0 0 1280 720"' in html
        assert 'data-palette="{&quot;red&quot;:&quot;#ff453a&quot;' in html
        assert "review/drawing.js" in html and "<script>" not in html and "style=" not in html
        assert 'aria-label="Show the drawing at 0:04.2"' in html  # viewers see drawings too
    html = client_for(cast.reviewer).get(f"/review/clips/{clip.pk}/").content.decode()
    for label in ("Pen", "Arrow", "Rectangle", "Red", "Yellow", "Green", "White"):
        assert re.search(rf'aria-pressed="(true|false)">(<svg[^>]*>.*?</svg>)?{label}</button>',
                         html), label
    assert ">Undo last shape</button>" in html and ">Clear drawing</button>" in html


def test_a_viewer_cannot_post_a_drawing(cast, client_for, make_clip):
    clip = make_clip(**NINE)
    response = post(client_for(cast.viewer), clip, DRAWING)
    assert response.status_code == 403 and not Comment.objects.exists()


def test_the_editor_of_the_revision_sees_the_drawing_with_the_note(cast, make_clip):
    clip = make_clip(**NINE)
    add_comment(clip, cast.reviewer, 4.2, "The pan starts late", drawing=DRAWING)
    revision = request_retake(clip, cast.reviewer, "Slower pan").revision
    html = Template("{% load review_tags %}{% review_notes board %}").render(
        Context({"board": revision}))
    assert "0:04.2</a> · shot 2 · The pan starts late" in html
    assert (f'<a href="/review/clips/{clip.pk}/?t=4.2" aria-label="The drawing at 0:04.2, '
            'over the take"><svg class="drawing-thumb"') in html
