"""A storyboard row converts to the rules' value (the same thing the editor, the jobs and the
batch files check), and its slots to the media the providers need."""

from library.media_factory import jpeg, upload

from storyboard.boards.convert import slot_elements, slot_media, to_value, with_related
from storyboard.boards.models import Shot, Slot, Storyboard
from storyboard.library.actions import ElementInput, create_element, store_image_upload
from storyboard.rules import check


def _board(cast, **fields):
    board = Storyboard.objects.create(team=cast.team_a, title="Kitchen", **fields)
    Shot.objects.create(storyboard=board, position=1, prompt="The chef flips @image_1",
                        duration="3")
    Shot.objects.create(storyboard=board, position=0, prompt="A chef @element_1 at @image_1",
                        duration="4")
    return board


def test_shots_come_in_timeline_order_with_their_raw_durations(cast):
    value = to_value(_board(cast))
    assert [(s.prompt, s.duration) for s in value.shots] == [
        ("A chef @element_1 at @image_1", "4"), ("The chef flips @image_1", "3")]
    assert value.target.dialect == "animatic" and value.target.model == "v3"


def test_slots_become_attachments_with_element_facts(cast):
    board = _board(cast)
    stove = store_image_upload(cast.team_a, cast.editor, upload(jpeg(800, 600), "stove.jpg"))
    face = store_image_upload(cast.team_a, cast.editor, upload(jpeg(640, 800, color="navy"),
                                                                "face.jpg"))
    chef = create_element(cast.team_a, cast.editor, "image", ElementInput(
        "Chef", "character", "Head chef", frontal=face.item))
    Slot.objects.create(storyboard=board, name="image_1", image=stove.item)
    Slot.objects.create(storyboard=board, name="element_1",
                        element_version=chef.current_version)
    value = to_value(with_related(Storyboard.objects).get(pk=board.pk))
    assert value.attachments["image_1"].ref == "stove"
    element = value.attachments["element_1"]
    assert (element.name, element.description, element.frontal_image) == (
        "Chef", "Head chef", "face")
    assert check(value, value.target).ok
    media = slot_media(board)
    assert media["image_1"].content_type == "image/jpeg" and media["image_1"].path.exists()
    assert media["image_1"].public_url is None  # no STORYBOARD_PUBLIC_BASE_URL
    source = slot_elements(board)["element_1"]
    assert source.key == f"ev:{chef.current_version.pk}"
    assert source.spec.frontal.path.exists() and source.spec.tag == "character"


def test_converting_costs_the_same_few_queries_however_big_the_storyboard(
        cast, django_assert_num_queries):
    board = _board(cast)
    images = [store_image_upload(cast.team_a, cast.editor, upload(
        jpeg(640, 480, color=c), f"{c}.jpg")).item for c in ("red", "green", "blue", "gray")]
    chef = create_element(cast.team_a, cast.editor, "image", ElementInput(
        "Chef", "character", frontal=images[3]))
    Slot.objects.create(storyboard=board, name="image_1", image=images[0])
    Slot.objects.create(storyboard=board, name="element_1", element_version=chef.current_version)
    # board, shots, slots, their images, element versions, elements, version images, images
    with django_assert_num_queries(8):
        to_value(with_related(Storyboard.objects).get(pk=board.pk))
    for n in range(2, 6):
        Shot.objects.create(storyboard=board, position=n, prompt=f"Shot {n}", duration="2")
    for n, image in enumerate(images[1:3], start=2):
        Slot.objects.create(storyboard=board, name=f"image_{n}", image=image)
    with django_assert_num_queries(8):
        to_value(with_related(Storyboard.objects).get(pk=board.pk))


def test_a_public_base_url_gives_signed_links_that_expire(cast, settings, client):
    settings.STORYBOARD_PUBLIC_BASE_URL = "https://media.example.com"
    board = _board(cast)
    stove = store_image_upload(cast.team_a, cast.editor, upload(jpeg(800, 600), "stove.jpg"))
    Slot.objects.create(storyboard=board, name="image_1", image=stove.item)
    url = slot_media(board)["image_1"].public_url
    assert url.startswith("https://media.example.com/storyboards/media/")
    path = url.removeprefix("https://media.example.com")
    response = client.get(path)  # a vendor, not signed in
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(path[:-3] + "xyz/").status_code == 404
