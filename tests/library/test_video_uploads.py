"""Reference videos are probed with PyAV (container, codec, duration, size, frame rate),
checked against docs/rules.md §14, stored with a poster frame; bad ones are refused, nothing
kept."""

import io

import pytest
from library.media_factory import upload, video_bytes, video_upload
from PIL import Image

from storyboard.library.actions import store_video_upload
from storyboard.library.images import MediaRefused
from storyboard.library.models import ReferenceVideo

pytestmark = pytest.mark.django_db


def post(client, file):
    return client.post("/library/upload/", {"files": file},
                       HTTP_X_REQUESTED_WITH="XMLHttpRequest")


def test_a_good_clip_is_probed_and_stored_with_a_poster(cast, client_for, read_stored):
    response = post(client_for(cast.editor), video_upload("walk cycle.mp4"))
    assert response.status_code == 200, response.content
    video = ReferenceVideo.objects.get()
    assert (video.name, video.container, video.codec) == ("walk cycle", "MP4", "mpeg4")
    assert (video.width, video.height, video.fps) == (720, 720, 24.0)
    assert video.seconds == pytest.approx(3.0, abs=0.05)
    poster = Image.open(io.BytesIO(read_stored(video.poster)))
    assert poster.format == "JPEG" and max(poster.size) <= 768
    assert read_stored(video.file) == video_bytes()


def test_a_mov_is_recognised_as_mov(cast):
    data = video_bytes(container="mov")
    video = store_video_upload(cast.team_a, None, upload(data, "take.mov", "video/quicktime"))
    assert video.item.container == "MOV" and video.item.content_type == "video/quicktime"


@pytest.mark.parametrize("kw, message", [
    ({"seconds": 2}, "2.0 s long: at least 3 s"),
    ({"seconds": 11}, "11.0 s long: at most 10 s"),
    ({"width": 640, "height": 360}, "640 × 360 px: both sides must be 720–2160 px"),
    ({"fps": 120}, "120 fps: the frame rate must be 24–60 fps"),
], ids=["2 seconds", "11 seconds", "640x360", "120 fps"])
def test_a_video_outside_the_limits_is_refused_with_the_value_and_nothing_is_kept(
        kw, message, cast, client_for, stored_files):
    response = post(client_for(cast.editor), video_upload(**kw))
    assert response.status_code == 400
    assert f"MP4 video is {message}" in response.content.decode()
    assert ReferenceVideo.objects.count() == 0
    assert stored_files() == []


def test_a_video_over_200_mb_is_refused_before_it_is_read(cast):
    big = video_upload()
    big.size = 200 * 1024 * 1024 + 1
    with pytest.raises(MediaRefused, match=r"at most 200 MB"):
        store_video_upload(cast.team_a, None, big)


def test_a_webm_or_random_bytes_are_not_taken_for_a_video(cast):
    with pytest.raises(MediaRefused, match="not an MP4 or MOV video"):
        store_video_upload(cast.team_a, None,
                           upload(b"\x1aE\xdf\xa3" + b"\0" * 400, "clip.mp4", "video/mp4"))


def test_a_truncated_mp4_is_refused_as_damaged(cast, stored_files):
    data = video_bytes()
    with pytest.raises(MediaRefused, match="truncated or damaged|no frame"):
        store_video_upload(cast.team_a, None, upload(data[:2000], "cut.mp4", "video/mp4"))
    assert stored_files() == []


def test_the_same_clip_twice_is_stored_once(cast, client_for):
    client = client_for(cast.editor)
    post(client, video_upload("one.mp4"))
    response = post(client, video_upload("two.mp4"))
    assert "Already in the library as “one”" in response.content.decode()
    assert ReferenceVideo.objects.count() == 1
