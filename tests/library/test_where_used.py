"""The library shows where each image and element is used, and refuses to delete what is in
use, naming the users. Other apps (storyboards) add their uses through a registry."""

import pytest
from library.media_factory import make_image, make_image_element

from storyboard.library import usage
from storyboard.library.models import ReferenceImage

pytestmark = pytest.mark.django_db


def test_an_image_used_by_an_element_cannot_be_deleted_and_the_user_is_told_where(cast,
                                                                                  client_for):
    element = make_image_element(cast.team_a, name="Mara")
    front = element.current_version.frontal
    response = client_for(cast.editor).post(f"/library/images/{front.pk}/delete/", follow=True)
    text = response.content.decode()
    assert "cannot be deleted while it is used: element “Mara” (version 1)" in text
    assert ReferenceImage.objects.filter(pk=front.pk).exists()


def test_every_version_using_the_image_is_listed(cast):
    from storyboard.library.actions import ElementInput, edit_element

    element = make_image_element(cast.team_a, name="Mara")
    front = element.current_version.frontal
    edit_element(element, None, ElementInput(name="Mara", tag="prop", frontal=front))
    assert [u.label for u in usage.uses_of("image", front)] == [
        "element “Mara” (versions 1, 2)"]


def test_an_unused_image_is_deleted_with_its_files(cast, client_for, stored_files,
                                                   django_capture_on_commit_callbacks):
    image = make_image(cast.team_a)
    assert len(stored_files()) == 3
    # Files go once the deletion is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.editor).post(f"/library/images/{image.pk}/delete/")
    assert response.status_code == 302
    assert not ReferenceImage.objects.exists()
    assert stored_files() == []


def test_the_image_card_says_how_many_elements_use_it(cast, client_for):
    make_image_element(cast.team_a)
    page = client_for(cast.viewer).get("/library/").content.decode()
    assert "used by 1 element" in page


def test_another_app_can_register_its_uses(cast, client_for):
    def storyboards(element):
        yield usage.Use("storyboard", "storyboard “Chase”", "/storyboards/1/")

    usage.register("element")(storyboards)
    try:
        element = make_image_element(cast.team_a)
        page = client_for(cast.viewer).get(f"/library/elements/{element.pk}/").content.decode()
        assert "storyboard “Chase”" in page
        response = client_for(cast.editor).post(f"/library/elements/{element.pk}/delete/",
                                                follow=True)
        assert "cannot be deleted while it is used: storyboard “Chase”" in \
            response.content.decode()
    finally:
        usage.unregister("element", storyboards)


def test_an_unused_element_says_so(cast, client_for):
    element = make_image_element(cast.team_a)
    page = client_for(cast.viewer).get(f"/library/elements/{element.pk}/").content.decode()
    assert "Not used by any storyboard or job yet." in page
