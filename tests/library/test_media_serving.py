"""Media are served only through team-checked views, with an explicit Content-Type, nosniff,
and HTTP Range support (206, Content-Range, 416) for seeking in videos."""

import pytest
from library.media_factory import make_image, make_video, video_bytes

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_image_and_its_thumbnails_have_explicit_types_and_nosniff(cast, client_for):
    image = make_image(cast.team_a)
    client = client_for(cast.viewer)
    for variant, kind in (("file", "image/png"), ("768", "image/jpeg"), ("256", "image/jpeg")):
        response = client.get(f"/library/images/{image.pk}/{variant}")
        assert response.status_code == 200
        assert response["Content-Type"] == kind
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert body(response)[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0")


def test_an_unknown_variant_is_not_found(cast, client_for):
    image = make_image(cast.team_a)
    assert client_for(cast.viewer).get(f"/library/images/{image.pk}/orig").status_code == 404


def test_a_video_answers_a_range_request_with_206_and_the_bytes_asked_for(cast, client_for):
    video = make_video(cast.team_a)
    data = video_bytes()
    response = client_for(cast.viewer).get(f"/library/videos/{video.pk}/file",
                                           HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert response["Content-Length"] == "100"
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == data[100:200]


def test_open_ended_and_suffix_ranges(cast, client_for):
    video = make_video(cast.team_a)
    data = video_bytes()
    client = client_for(cast.viewer)
    tail = client.get(f"/library/videos/{video.pk}/file", HTTP_RANGE=f"bytes={len(data) - 10}-")
    assert (tail.status_code, body(tail)) == (206, data[-10:])
    suffix = client.get(f"/library/videos/{video.pk}/file", HTTP_RANGE="bytes=-5")
    assert suffix["Content-Range"] == f"bytes {len(data) - 5}-{len(data) - 1}/{len(data)}"
    assert body(suffix) == data[-5:]
    clipped = client.get(f"/library/videos/{video.pk}/file", HTTP_RANGE="bytes=0-99999999")
    assert (clipped.status_code, body(clipped)) == (206, data)


def test_a_range_past_the_end_answers_416(cast, client_for):
    video = make_video(cast.team_a)
    size = len(video_bytes())
    response = client_for(cast.viewer).get(f"/library/videos/{video.pk}/file",
                                           HTTP_RANGE=f"bytes={size}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def test_a_malformed_range_is_ignored_and_the_whole_file_sent(cast, client_for):
    video = make_video(cast.team_a)
    response = client_for(cast.viewer).get(f"/library/videos/{video.pk}/file",
                                           HTTP_RANGE="bytes=abc")
    assert response.status_code == 200
    assert body(response) == video_bytes()


def test_a_video_poster_is_a_jpeg(cast, client_for):
    video = make_video(cast.team_a)
    response = client_for(cast.viewer).get(f"/library/videos/{video.pk}/poster")
    assert response["Content-Type"] == "image/jpeg" and body(response)[:2] == b"\xff\xd8"


def test_another_teams_media_is_not_found(cast, client_for):
    image, video = make_image(cast.team_a), make_video(cast.team_a)
    client = client_for(cast.outsider)
    assert client.get(f"/library/images/{image.pk}/file").status_code == 404
    assert client.get(f"/library/videos/{video.pk}/file").status_code == 404


def test_signed_out_visitors_get_no_media(cast, client):
    image = make_image(cast.team_a)
    assert client.get(f"/library/images/{image.pk}/file").status_code == 302


def test_there_is_no_public_media_route(cast, client_for):
    image = make_image(cast.team_a)
    assert client_for(cast.owner).get(f"/media/{image.file}").status_code == 404
