"""Every bad image the issue lists is refused with a message naming the limit and the value,
and nothing of it is stored: no row, no file."""

import time

import pytest
from library.media_factory import image_bytes, jpeg, png, png_header_only, upload

from storyboard.library.models import ReferenceImage

pytestmark = pytest.mark.django_db


@pytest.fixture
def post_files(cast, client_for):
    client = client_for(cast.editor)

    def post(*files):
        return client.post("/library/upload/", {"files": list(files)},
                           HTTP_X_REQUESTED_WITH="XMLHttpRequest")

    return post


def refused(response) -> str:
    assert response.status_code == 400, response.status_code
    text = response.content.decode()
    assert 'role="alert"' in text
    return text


def assert_nothing_stored(stored_files):
    assert ReferenceImage.objects.count() == 0
    assert stored_files() == []


def test_a_truncated_jpeg_is_refused_as_damaged(post_files, stored_files):
    data = jpeg(1200, 900)
    text = refused(post_files(upload(data[: len(data) // 2], "cut.jpg")))
    assert "the JPEG is truncated or damaged" in text
    assert_nothing_stored(stored_files)


def test_a_zero_byte_file_is_refused_as_empty(post_files, stored_files):
    text = refused(post_files(upload(b"", "empty.jpg")))
    assert "the file is empty (0 bytes)" in text
    assert_nothing_stored(stored_files)


def test_a_png_header_of_50000_by_50000_is_refused_fast_without_decoding(post_files,
                                                                        stored_files):
    from storyboard.library.images import MediaRefused, prepare_image

    bomb = png_header_only(50_000, 50_000)
    started = time.perf_counter()
    with pytest.raises(MediaRefused, match="2,500 megapixels: at most 40 megapixels"):
        prepare_image(bomb, "bomb.png")
    assert time.perf_counter() - started < 0.5  # the benchmark holds the real budget (10 ms)
    text = refused(post_files(upload(bomb, "bomb.png", "image/png")))
    assert "at most 40 megapixels" in text
    assert_nothing_stored(stored_files)


def test_a_header_just_over_40_megapixels_is_refused_before_decoding(post_files, stored_files):
    text = refused(post_files(upload(png_header_only(8000, 5001), "big.png", "image/png")))
    assert "PNG is 8000 × 5001 px (40.0 megapixels): at most 40 megapixels" in text
    assert_nothing_stored(stored_files)


@pytest.mark.parametrize("content, kind", [
    (b'<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900"></svg>', "SVG"),
    (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML"),
])
def test_svg_or_html_renamed_jpg_is_refused_by_content(content, kind, post_files,
                                                        stored_files):
    text = refused(post_files(upload(content, "innocent.jpg", "image/jpeg")))
    assert f"the file is an {kind}" in text and "JPEG or PNG only" in text
    assert_nothing_stored(stored_files)


def test_a_gif_is_refused_by_name_of_its_real_format(post_files, stored_files):
    text = refused(post_files(upload(image_bytes(600, 600, "GIF", mode="P", color=1),
                                     "anim.png", "image/png")))
    assert "the file is a GIF: JPEG or PNG only" in text
    assert_nothing_stored(stored_files)


def test_a_one_to_three_image_is_refused_for_its_aspect(post_files, stored_files):
    text = refused(post_files(upload(png(300, 900), "tall.png", "image/png")))
    assert "PNG is 300 × 900 px (1:3.00): the aspect ratio must be between 1:2.5 and 2.5:1" \
        in text
    assert_nothing_stored(stored_files)


def test_a_side_of_299_px_is_refused(post_files, stored_files):
    text = refused(post_files(upload(jpeg(299, 600), "small.jpg")))
    assert "JPEG is 299 × 600 px: the shorter side must be at least 300 px" in text
    assert_nothing_stored(stored_files)


def test_300_px_and_2_5_to_1_are_just_accepted(post_files):
    assert post_files(upload(png(750, 300), "edge.png", "image/png")).status_code == 200
    assert ReferenceImage.objects.get().width == 750


def test_ten_megabytes_and_one_byte_is_refused_before_reading(post_files, stored_files):
    data = jpeg(800, 600)
    data += b"\0" * (10 * 1024 * 1024 + 1 - len(data))
    text = refused(post_files(upload(data, "huge.jpg")))
    assert "10,485,761 bytes (10.0 MB): at most 10 MB" in text
    assert_nothing_stored(stored_files)


def test_an_oversized_file_says_its_size_in_megabytes(post_files):
    data = b"\xff\xd8" + b"\0" * int(11.2 * 1024 * 1024)
    assert "11.2 MB: at most 10 MB" in refused(post_files(upload(data, "big.jpg")))


def test_a_refused_file_in_a_batch_does_not_stop_the_others(post_files, stored_files):
    response = post_files(upload(png(600, 600), "good.png", "image/png"),
                          upload(jpeg(299, 600), "bad.jpg"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Added “good”" in text and "Refused: JPEG is 299 × 600 px" in text
    assert ReferenceImage.objects.count() == 1
    assert len(stored_files()) == 3  # the image and its two thumbnails


def test_a_viewer_cannot_upload(cast, client_for, stored_files):
    response = client_for(cast.viewer).post("/library/upload/",
                                            {"files": upload(png(600, 600), "v.png")})
    assert response.status_code == 403
    assert_nothing_stored(stored_files)


def test_a_reviewer_cannot_upload(cast, client_for, stored_files):
    response = client_for(cast.reviewer).post("/library/upload/",
                                              {"files": upload(png(600, 600), "r.png")})
    assert response.status_code == 403
    assert_nothing_stored(stored_files)


def test_a_post_without_files_says_what_to_do(post_files):
    response = post_files()
    assert "Files: choose at least one image or video" in refused(response)
