"""The library page: the grid of images, videos and elements; search by name, filter by tag and
kind (also as an htmx fragment); rename; role-dependent controls."""

import pytest
from library.media_factory import make_image, make_image_element, make_video

from storyboard.library.models import ReferenceImage

pytestmark = pytest.mark.django_db


def test_a_new_team_sees_an_empty_library_with_an_upload_box(cast, client_for):
    page = client_for(cast.editor).get("/library/").content.decode()
    assert "Team A's reference images" in page
    assert '<label for="upload-input">Choose images or videos</label>' in page
    assert "No images yet." in page and "No elements yet." in page


def test_a_viewer_sees_the_library_without_upload_or_edit_controls(cast, client_for):
    make_image(cast.team_a, name="beach.png")
    page = client_for(cast.viewer).get("/library/").content.decode()
    assert "beach" in page
    assert "upload-input" not in page and "Rename or delete" not in page
    assert "New image element" not in page


def test_search_by_name_filters_the_grid(cast, client_for):
    make_image(cast.team_a, name="beach.png", color=(1, 2, 3))
    make_image(cast.team_a, name="forest.png", color=(3, 2, 1))
    page = client_for(cast.viewer).get("/library/?q=bea").content.decode()
    assert ">beach<" in page and ">forest<" not in page


def test_filter_by_tag_and_kind(cast, client_for):
    make_image_element(cast.team_a, name="Rex", tag="animal")
    make_image_element(cast.team_a, name="Lamp", tag="prop")
    make_video(cast.team_a)
    client = client_for(cast.viewer)
    page = client.get("/library/?tag=animal&kind=element").content.decode()
    assert "Rex" in page and "Lamp" not in page
    assert 'id="images-h"' not in page and 'id="videos-h"' not in page
    videos = client.get("/library/?kind=video").content.decode()
    assert 'id="videos-h"' in videos and 'id="elements-h"' not in videos


def test_the_filter_answers_htmx_with_only_the_grid(cast, client_for):
    make_image(cast.team_a, name="beach.png")
    response = client_for(cast.viewer).get("/library/?q=beach", HTTP_HX_REQUEST="true",
                                           HTTP_HX_TARGET="library-items")
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="library-items">')
    assert "<html" not in text and ">beach<" in text


def test_an_editor_renames_and_tags_an_image(cast, client_for):
    image = make_image(cast.team_a, name="IMG_0001.png")
    response = client_for(cast.editor).post(f"/library/images/{image.pk}/edit/",
                                            {"name": "  Hero   close-up ", "tag": "character"},
                                            follow=True)
    assert "Renamed to “Hero close-up”." in response.content.decode()
    image.refresh_from_db()
    assert (image.name, image.tag) == ("Hero close-up", "character")


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "Name: enter a name."),
    ({"name": "n" * 81}, "Name: at most 80 characters (this one has 81)."),
    ({"name": "ok", "tag": "weird"}, "Tag: choose one of"),
])
def test_a_bad_rename_is_refused_with_a_message(data, message, cast, client_for):
    image = make_image(cast.team_a, name="keep.png")
    response = client_for(cast.editor).post(f"/library/images/{image.pk}/edit/", data,
                                            follow=True)
    assert message in response.content.decode()
    assert ReferenceImage.objects.get().name == "keep"


def test_the_page_loads_its_script_and_every_control_is_labelled(cast, client_for):
    make_image(cast.team_a, name="beach.png")
    page = client_for(cast.editor).get("/library/").content.decode()
    assert "library/upload.js" in page
    for label in ('for="lib-q">Search', 'for="lib-tag">Tag', 'for="lib-kind">Kind'):
        assert label in page
    assert 'aria-label="Delete beach"' in page
