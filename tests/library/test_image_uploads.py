"""Accepted images are decoded, oriented, re-encoded without metadata, stored under generated
names with 256 and 768 px thumbnails, and deduplicated within the team."""

import io

import pytest
from library.media_factory import image_bytes, jpeg, png, upload
from PIL import Image

from storyboard.library.actions import store_image_upload
from storyboard.library.models import ReferenceImage

pytestmark = pytest.mark.django_db


def open_stored(read_stored, name) -> Image.Image:
    img = Image.open(io.BytesIO(read_stored(name)))
    img.load()
    return img


def test_an_upload_lands_in_the_library_with_thumbnails(cast, client_for, read_stored):
    response = client_for(cast.editor).post(
        "/library/upload/", {"files": upload(jpeg(1600, 1200), "Beach.jpg")},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200
    assert "Added “Beach”" in response.content.decode()
    image = ReferenceImage.objects.get()
    assert (image.team, image.name, image.format, image.width, image.height) == (
        cast.team_a, "Beach", "JPEG", 1600, 1200)
    assert image.uploaded_by == cast.editor
    assert open_stored(read_stored, image.thumb_768).size == (768, 576)
    assert open_stored(read_stored, image.thumb_256).size == (256, 192)
    assert open_stored(read_stored, image.file).size == (1600, 1200)


def test_stored_names_are_generated_never_the_users(cast):
    image = store_image_upload(cast.team_a, cast.editor,
                               upload(png(600, 600), "my holiday.png", "image/png")).item
    for name in image.storage_names():
        assert name.startswith(f"library/{cast.team_a.pk}/")
        assert "holiday" not in name


def test_a_hostile_file_name_is_kept_only_as_a_clean_display_name(cast, stored_files):
    hostile = "../../etc/" + "x" * 290 + "\x00evil..png"
    image = store_image_upload(cast.team_a, None, upload(png(600, 600), hostile)).item
    assert "\x00" not in image.name and ".." not in image.name and "/" not in image.name
    assert len(image.name) <= 80 and image.name.startswith("xxxx")
    assert all(f.startswith(f"library/{cast.team_a.pk}/") for f in stored_files())


def test_the_same_image_twice_is_stored_once_and_the_user_is_told(cast, client_for,
                                                                  stored_files):
    client = client_for(cast.editor)
    data = png(700, 500)
    client.post("/library/upload/", {"files": upload(data, "first.png")})
    response = client.post("/library/upload/", {"files": upload(data, "again.png")},
                           HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200
    assert "Already in the library as “first”" in response.content.decode()
    assert ReferenceImage.objects.count() == 1
    assert len(stored_files()) == 3


def test_the_same_image_in_another_team_is_that_teams_own_copy(cast):
    data = png(700, 500)
    a = store_image_upload(cast.team_a, None, upload(data, "a.png"))
    b = store_image_upload(cast.team_b, None, upload(data, "b.png"))
    assert a.created and b.created and a.item.pk != b.item.pk


def test_a_cmyk_jpeg_is_accepted_and_stored_as_rgb(cast, read_stored):
    data = image_bytes(800, 600, "JPEG", mode="CMYK", color=(0, 255, 255, 0))
    image = store_image_upload(cast.team_a, None, upload(data, "print.jpg")).item
    stored = open_stored(read_stored, image.file)
    assert (stored.format, stored.mode) == ("JPEG", "RGB")
    red, green, blue = stored.getpixel((400, 300))
    assert red > 200 and green < 60 and blue < 60  # cyan-free, full magenta+yellow = red


def test_a_phone_mpo_is_accepted_as_a_jpeg_of_its_first_picture(cast, read_stored):
    # Phones save depth and portrait shots as MPO: several JPEGs in one file, the first one
    # being the photo. Pillow reports the format as "MPO".
    first = Image.new("RGB", (800, 600), (20, 200, 40))
    second = Image.new("RGB", (800, 600), (200, 20, 40))
    buf = io.BytesIO()
    first.save(buf, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(buf.getvalue())).format == "MPO"
    image = store_image_upload(cast.team_a, None, upload(buf.getvalue(), "portrait.jpg")).item
    stored = open_stored(read_stored, image.file)
    assert (stored.format, stored.size, getattr(stored, "n_frames", 1)) == ("JPEG", (800, 600), 1)
    red, green, _ = stored.getpixel((400, 300))
    assert green > 150 and red < 80  # the first picture, not the second


def test_a_16_bit_png_is_accepted_and_scaled_to_8_bits(cast, read_stored):
    data = image_bytes(600, 600, "PNG", mode="I;16")  # every pixel 40000 of 65535
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    image = store_image_upload(cast.team_a, None, upload(data, "scan.png")).item
    stored = open_stored(read_stored, image.file)
    assert (stored.format, stored.mode) == ("PNG", "L")
    assert stored.getpixel((10, 10)) == 40000 // 256  # scaled, not clipped to 255


def test_exif_orientation_6_is_stored_upright(cast, read_stored):
    # A landscape picture whose camera says "rotate 90° clockwise to view".
    data = jpeg(800, 400, exif_orientation=6)
    image = store_image_upload(cast.team_a, None, upload(data, "phone.jpg")).item
    assert (image.width, image.height) == (400, 800)
    stored = open_stored(read_stored, image.file)
    assert stored.size == (400, 800)
    assert not stored.getexif()  # no orientation left to apply twice
    # The green marker of the top-left corner is now at the top-right.
    r, g, b = stored.getpixel((390, 10))
    assert g > 150 and r < 80


def test_metadata_is_stripped_by_re_encoding(cast, read_stored):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # camera make
    exif[0x8825] = {1: "N"}  # GPS
    data = image_bytes(640, 480, "JPEG", exif=exif.tobytes(), comment=b"secret note")
    image = store_image_upload(cast.team_a, None, upload(data, "gps.jpg")).item
    stored_bytes = read_stored(image.file)
    assert b"SpyCam" not in stored_bytes and b"secret note" not in stored_bytes
    assert b"Exif" not in stored_bytes


def test_html_after_png_data_is_not_in_the_stored_copy(cast, client_for, read_stored):
    data = png(600, 600) + b"<html><script>alert('hi')</script></html>"
    response = client_for(cast.editor).post("/library/upload/",
                                            {"files": upload(data, "polyglot.png")})
    assert response.status_code == 200
    image = ReferenceImage.objects.get()
    for name in image.storage_names():
        assert b"<html" not in read_stored(name) and b"script" not in read_stored(name)


def test_a_png_with_transparency_keeps_it_and_gets_png_thumbnails(cast, read_stored):
    data = image_bytes(600, 600, "PNG", mode="RGBA", color=(10, 20, 30, 0))
    image = store_image_upload(cast.team_a, None, upload(data, "cutout.png")).item
    assert image.thumb_format == "PNG"
    assert open_stored(read_stored, image.thumb_256).mode == "RGBA"
    assert open_stored(read_stored, image.file).getpixel((5, 5))[3] == 0


def test_the_format_comes_from_the_content_not_the_name(cast):
    image = store_image_upload(cast.team_a, None,
                               upload(png(600, 600), "really.jpg", "image/jpeg")).item
    assert image.format == "PNG" and image.file.endswith(".png")


def test_a_plain_form_post_shows_the_results_on_the_library_page(cast, client_for):
    response = client_for(cast.editor).post(
        "/library/upload/", {"files": [upload(png(600, 600), "ok.png"),
                                       upload(png(200, 600), "small.png")]})
    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1>Library</h1>" in text and "Added “ok”" in text
    assert "Refused: PNG is 200 × 600 px" in text


def test_two_simultaneous_uploads_of_one_image_keep_one_copy_and_no_stray_files(
        cast, stored_files, monkeypatch):
    from storyboard.library import actions
    from storyboard.library.images import prepare_image

    data = png(640, 640, color=(3, 3, 3))
    first = store_image_upload(cast.team_a, None, upload(data, "first.png")).item
    prepared = prepare_image(data, "second.png")
    # The second request looked for a duplicate just before the first one was saved.
    calls = []
    monkeypatch.setattr(actions, "_existing_image",
                        lambda team, sha: calls.append(sha) or (first if len(calls) > 1 else None))
    result = actions.store_prepared_image(cast.team_a, None, prepared)
    assert len(calls) == 2  # the unique constraint caught it and the first copy was returned
    assert not result.created and result.item == first
    assert ReferenceImage.objects.count() == 1
    assert sorted(stored_files()) == sorted(first.storage_names())
