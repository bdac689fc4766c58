"""Django's {# … #} comments end on their own line; one spread over two lines is printed on the
page as text (it happened to base.html once)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_comment_spans_lines():
    broken = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\{#(?!.*#\})", line):
                broken.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert broken == []


def test_a_page_shows_no_template_comment(cast, client_for):
    page = client_for(cast.editor).get("/storyboards/").content.decode()
    assert "{#" not in page and "#}" not in page
