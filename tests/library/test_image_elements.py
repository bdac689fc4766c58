"""Image elements: a name, tag and description (docs/rules.md §15), a frontal image and up to three
extra angles, picked from the library or uploaded on the spot."""

import pytest
from library.media_factory import make_image, png, upload

from storyboard.library.models import Element, ElementVersion, ReferenceImage

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(cast, client_for):
    return client_for(cast.editor)


def create(client, **data):
    return client.post("/library/elements/new/", {"kind": "image", **data})


def test_an_editor_creates_an_element_from_library_images(cast, editor):
    front = make_image(cast.team_a, color=(1, 1, 1))
    sides = [make_image(cast.team_a, color=(2 + i, 1, 1)) for i in range(3)]
    response = create(editor, name="Mara", tag="character", description="red coat, 30s",
                      frontal=front.pk, extras=[s.pk for s in sides])
    element = Element.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/library/elements/{element.pk}/"
    version = element.current_version
    assert (version.number, version.name, version.tag, version.description) == (
        1, "Mara", "character", "red coat, 30s")
    assert version.frontal == front and version.extras == sides
    page = editor.get(response["Location"]).content.decode()
    assert "Mara" in page and "Version 1" in page and "frontal" in page


def test_images_uploaded_on_the_spot_join_the_library(cast, editor):
    response = create(editor, name="Dog", tag="animal",
                      frontal_file=upload(png(600, 600, color=(5, 5, 5)), "dog front.png"),
                      extra_files=[upload(png(600, 600, color=(6, 5, 5)), "dog side.png")])
    assert response.status_code == 302
    version = Element.objects.get().current_version
    assert [i.name for i in [version.frontal, *version.extras]] == ["dog front", "dog side"]
    assert ReferenceImage.objects.filter(team=cast.team_a).count() == 2


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "Name: enter a name."),
    ({"name": "A" * 21}, "Name: at most 20 characters (this one has 21)."),
    ({"tag": "monster"}, "Tag: choose one of character, animal, prop, costume, scene, effect, "
                         "others."),
    ({"description": "d" * 101}, "Description: at most 100 characters (this one has 101)."),
    ({"frontal": ""}, "Frontal image: choose one from the library or upload one."),
], ids=["no name", "long name", "bad tag", "long description", "no frontal"])
def test_bad_fields_are_refused_with_the_limit_and_nothing_is_stored(data, message, cast,
                                                                     editor):
    front = make_image(cast.team_a)
    response = create(editor, **{"name": "Mara", "tag": "character", "frontal": front.pk,
                                 **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Element.objects.count() == 0 and ElementVersion.objects.count() == 0


def test_twenty_characters_and_a_hundred_character_description_are_fine(cast, editor):
    front = make_image(cast.team_a)
    response = create(editor, name="N" * 20, tag="prop", description="d" * 100,
                      frontal=front.pk)
    assert response.status_code == 302


def test_four_extra_angles_are_refused(cast, editor):
    front = make_image(cast.team_a, color=(1, 1, 1))
    sides = [make_image(cast.team_a, color=(2 + i, 1, 1)) for i in range(4)]
    response = create(editor, name="Mara", tag="character", frontal=front.pk,
                      extras=[s.pk for s in sides])
    assert response.status_code == 400
    assert "Extra angles: at most 3 images (4 chosen)." in response.content.decode()
    assert Element.objects.count() == 0


def test_a_bad_upload_on_the_spot_refuses_the_element_and_stores_no_image(cast, editor,
                                                                         stored_files):
    response = create(editor, name="Dog", tag="animal",
                      frontal_file=upload(png(600, 600, color=(5, 5, 5)), "good.png"),
                      extra_files=[upload(png(200, 600), "tiny.png")])
    assert response.status_code == 400
    assert ("Extra angle 1 (tiny): PNG is 200 × 600 px: the shorter side must be at least "
            "300 px") in response.content.decode()
    assert Element.objects.count() == 0 and ReferenceImage.objects.count() == 0
    assert stored_files() == []


def test_another_teams_image_cannot_be_picked(cast, editor):
    theirs = make_image(cast.team_b)
    response = create(editor, name="Thief", tag="prop", frontal=theirs.pk)
    assert response.status_code == 400
    assert "not in this team&#x27;s library" in response.content.decode()
    assert Element.objects.count() == 0


def test_the_same_image_twice_is_refused(cast, editor):
    front = make_image(cast.team_a)
    response = create(editor, name="Twin", tag="prop", frontal=front.pk, extras=[front.pk])
    assert "the same image is chosen twice" in response.content.decode()


def test_a_viewer_cannot_open_the_element_form(cast, client_for):
    assert client_for(cast.viewer).get("/library/elements/new/").status_code == 403


def test_the_form_has_a_labelled_control_for_everything(cast, editor):
    make_image(cast.team_a, name="front.png")
    page = editor.get("/library/elements/new/?kind=image").content.decode()
    for label in ('for="el-name">Name', 'for="el-tag">Tag', 'for="el-description">Description',
                  'for="frontal-file">Or upload a frontal image',
                  'for="extra-files">Or upload extra angles'):
        assert label in page
