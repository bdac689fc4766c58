"""An import whose item gives an image by web address downloads it into the library, checked like
an upload, and fills the slot with it; an address that is private, too large, not an image or
not there is refused naming the item, the slot and why, and then nothing is imported."""

import json

import pytest
from image_server import allow_this_machine, serving
from PIL import Image

from storyboard.boards.models import Storyboard
from storyboard.library.models import ReferenceImage
from storyboard.storage import local_path


@pytest.fixture
def images():
    with serving() as server:
        yield server


def _import(client, *items):
    return client.post("/storyboards/import/", {"text": json.dumps(list(items))})


def test_an_image_given_by_address_is_downloaded_into_the_library(cast, client_for, images,
                                                                  monkeypatch):
    allow_this_machine(monkeypatch)
    response = _import(client_for(cast.editor),
                       {"title": "Chef", "prompt": "A chef @image_1", "duration": "5",
                        "image_1": {"ref": f"{images.url}/chef.jpg", "role": "first_frame"}})
    board = Storyboard.objects.get(title="Chef")
    assert response.status_code == 302 and response["Location"] == f"/storyboards/{board.pk}/"
    slot = board.slots.get()
    assert slot.name == "image_1" and slot.role == "first_frame"
    image = slot.image
    assert (image.team, image.name, image.format, image.width, image.height) == (
        cast.team_a, "chef", "JPEG", 800, 600)
    with Image.open(local_path(image.file)) as stored:  # re-encoded like an upload
        assert stored.size == (800, 600) and "exif" not in stored.info
    assert images.asked == ["/chef.jpg"]


def test_the_same_address_twice_is_downloaded_once_and_stored_once(cast, client_for, images,
                                                                   monkeypatch):
    allow_this_machine(monkeypatch)
    url = f"{images.url}/kitchen.png"
    response = _import(client_for(cast.editor),
                       {"prompt": "One @image_1", "image_1": url},
                       {"prompt": "Two @image_1 @image_2", "image_1": url,
                        "image_2": f"{images.url}/moved.jpg"})
    assert response.status_code == 302
    assert images.asked == ["/kitchen.png", "/moved.jpg", "/chef.jpg"]  # the redirect followed
    one, two = Storyboard.objects.order_by("id")
    assert one.slots.get().image == two.slots.get(name="image_1").image
    # Named after the address as written, wherever it redirected to.
    assert sorted(ReferenceImage.objects.values_list("name", flat=True)) == ["kitchen", "moved"]


def test_a_private_address_is_refused_and_nothing_is_imported(cast, client_for, images):
    # No allow_this_machine: the server is on loopback, as an internal service would be.
    response = _import(client_for(cast.editor),
                       {"prompt": "A chef @image_1", "image_1": f"{images.url}/chef.jpg"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was imported." in html
    assert (f"item 1, image_1: “{images.url}/chef.jpg” could not be downloaded: 127.0.0.1 "
            f"resolves to 127.0.0.1, a private or loopback address: refused") in html
    assert images.asked == []  # refused before connecting
    assert not Storyboard.objects.exists() and not ReferenceImage.objects.exists()


@pytest.mark.parametrize(("path", "why"), [
    ("/huge.jpg", "is larger than 10 MB: at most 10 MB"),
    ("/page.jpg", "is not an image the library takes: the file is an HTML page: JPEG or PNG "
                  "only"),
    ("/tiny.png", "is not an image the library takes: PNG is 100 × 100 px: the shorter side "
                  "must be at least 300 px"),
    ("/gone.png", "could not be downloaded: the server answered 404 Not Found"),
])
def test_an_address_that_gives_no_usable_image_is_refused_saying_why(cast, client_for, images,
                                                                     monkeypatch, path, why):
    allow_this_machine(monkeypatch)
    response = _import(client_for(cast.editor),
                       {"prompt": "fine @image_1", "image_1": f"{images.url}/chef.jpg"},
                       {"prompt": "bad @image_1", "image_1": f"{images.url}{path}"})
    assert response.status_code == 422
    assert f"item 2, image_1: “{images.url}{path}” {why}" in response.content.decode()
    assert not Storyboard.objects.exists() and not ReferenceImage.objects.exists()


def test_a_video_by_address_is_refused_and_nothing_is_downloaded(cast, client_for, images,
                                                                monkeypatch):
    allow_this_machine(monkeypatch)
    response = _import(client_for(cast.editor),
                       {"prompt": "A run @video_1", "video_1": f"{images.url}/run.mp4"})
    assert response.status_code == 422
    assert (f"item 1, video_1: “{images.url}/run.mp4” is a web address: a video is not "
            f"downloaded by an import") in response.content.decode()
    assert images.asked == []


def test_a_file_with_an_item_the_checks_refuse_downloads_nothing(cast, client_for, images,
                                                                 monkeypatch):
    allow_this_machine(monkeypatch)
    response = _import(client_for(cast.editor),
                       {"prompt": "A chef @image_1", "image_1": f"{images.url}/chef.jpg"},
                       {"prompt": "x", "mode": "8k"})
    assert response.status_code == 422 and "mode “8k” is not one of" in response.content.decode()
    assert images.asked == []
