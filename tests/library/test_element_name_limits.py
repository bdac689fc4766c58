"""Element names and descriptions over the limit are refused with the limit, never cut: the
form carries no maxlength (a browser cuts a longer pasted text to it without a word) and the
server counts characters as the vendor does (Unicode code points, JSON Schema maxLength)."""

import re

import pytest
from library.media_factory import make_image

from storyboard.library import limits
from storyboard.library.models import Element

pytestmark = pytest.mark.django_db

NAME_27 = "Mara the red-coated courier"  # what the user typed: 27 characters


def _input_tag(page: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|textarea) id="{field_id}"[^>]*>', page)
    assert match, f"the form has the field {field_id}"
    return match.group(0)


def test_the_form_states_the_limits_without_a_maxlength_that_would_cut(cast, client_for):
    page = client_for(cast.editor).get("/library/elements/new/?kind=image").content.decode()
    name = _input_tag(page, "el-name")
    description = _input_tag(page, "el-description")
    assert "maxlength" not in name and "maxlength" not in description
    assert f'data-max-chars="{limits.ELEMENT_NAME_MAX}"' in name
    assert f'data-max-chars="{limits.ELEMENT_DESCRIPTION_MAX}"' in description
    assert "library/element_limits.js" in page
    assert f"At most {limits.ELEMENT_NAME_MAX} characters" in page


def test_a_27_character_name_is_refused_naming_the_limit_and_kept_for_shortening(cast,
                                                                                  client_for):
    assert len(NAME_27) == 27
    front = make_image(cast.team_a)
    response = client_for(cast.editor).post("/library/elements/new/", {
        "kind": "image", "name": NAME_27, "tag": "character", "frontal": front.pk})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Name: at most 20 characters (this one has 27)." in page
    assert f'value="{NAME_27}"' in _input_tag(page, "el-name")
    assert not Element.objects.exists()


def test_characters_are_counted_as_code_points_like_the_vendor(cast, client_for):
    # Twenty emoji are forty UTF-16 units (what a browser's maxlength counts) but twenty
    # characters for the vendor's schema, so the name is fine.
    front = make_image(cast.team_a)
    client = client_for(cast.editor)
    response = client.post("/library/elements/new/", {
        "kind": "image", "name": "🎬" * 20, "tag": "prop", "frontal": front.pk})
    assert response.status_code == 302
    assert Element.objects.get().current_version.name == "🎬" * 20
    response = client.post("/library/elements/new/", {
        "kind": "image", "name": "🎬" * 21, "tag": "prop", "frontal": front.pk})
    assert "Name: at most 20 characters (this one has 21)." in response.content.decode()
