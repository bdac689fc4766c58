"""Media on a real S3 API (moto's server, tests/s3_store.py) with the settings an operator's
STORYBOARD_S3_* give: uploads land in the bucket and deletes remove them, a job's clip and
poster are stored there, and members are redirected to presigned URLs that the store answers,
Range requests included."""

import httpx
import pytest
import s3_store
from library.media_factory import jpeg, upload, video_upload

from storyboard.boards.models import Slot
from storyboard.jobs.actions import submit_job
from storyboard.library.actions import (
    delete_image,
    delete_video,
    store_image_upload,
    store_video_upload,
)
from storyboard.storage import is_local

pytestmark = pytest.mark.s3


@pytest.fixture
def bucket(settings, tmp_path):
    with s3_store.fresh_bucket() as name:
        settings.VAR_DIR = tmp_path / "var"
        settings.STORAGES = {**settings.STORAGES, "default": s3_store.default_storage_setting(
            name, tmp_path / "settings-var")}
        settings.STORYBOARD_S3_BUCKET = name
        settings.STORYBOARD_MEDIA_MODE = "s3-redirect"
        assert not is_local()
        yield name


def _object(bucket: str, name: str) -> bytes:
    return s3_store.client().get_object(Bucket=bucket, Key=s3_store.key(name))["Body"].read()


def test_uploads_are_stored_in_the_bucket_and_deletes_remove_them(
        bucket, cast, django_capture_on_commit_callbacks):
    image = store_image_upload(cast.team_a, cast.editor, upload(jpeg(800, 600), "a.jpg")).item
    video = store_video_upload(cast.team_a, cast.editor, video_upload()).item
    names = image.storage_names() + video.storage_names()
    stored = s3_store.objects(bucket)
    assert all(stored.get(s3_store.key(n), 0) > 0 for n in names), (names, stored)
    assert _object(bucket, image.file)[:2] == b"\xff\xd8"  # the JPEG itself

    with django_capture_on_commit_callbacks(execute=True):
        delete_image(image)
        delete_video(video)
    assert s3_store.objects(bucket) == {}


def test_members_are_redirected_to_a_presigned_url_the_store_answers(bucket, cast, client_for):
    image = store_image_upload(cast.team_a, cast.editor, upload(jpeg(640, 480), "b.jpg")).item
    response = client_for(cast.viewer).get(f"/library/images/{image.pk}/file")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{s3_store.ENDPOINT}/{bucket}/")
    fetched = httpx.get(response["Location"])
    assert fetched.status_code == 200 and fetched.content == _object(bucket, image.file)
    assert fetched.headers["content-type"] == "image/jpeg"
    assert client_for(cast.outsider).get(f"/library/images/{image.pk}/file").status_code == 404


@pytest.mark.parametrize("dialect", [None, "kling"])
def test_a_jobs_clip_is_kept_in_the_bucket_and_served_with_range_through_a_presigned_url(
        dialect, bucket, cast, board, queue, sandbox_account, client_for):
    account = sandbox_account(dialect) if dialect else None
    b = board(account, prompts=("A cook at @image_1", "The pan @image_1"))
    image = store_image_upload(cast.team_a, cast.editor, upload(jpeg(800, 600), "stove.jpg"))
    Slot.objects.create(storyboard=b, name="image_1", image=image.item)
    job = queue.drive(submit_job(b, cast.editor, "s3"))
    assert job.state == "succeeded", job.failure_text
    clip = job.clips.get()
    video = _object(bucket, clip.file)
    assert len(video) > 1000 and video[4:8] == b"ftyp"  # an MP4, whole
    assert _object(bucket, clip.poster)

    viewer = client_for(cast.viewer)
    response = viewer.get(f"/jobs/clips/{clip.pk}/video/", HTTP_RANGE="bytes=0-99")
    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    link = response["Location"]
    part = httpx.get(link, headers={"Range": "bytes=100-299"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-299/{len(video)}"
    assert part.headers["content-type"] == "video/mp4"
    assert part.content == video[100:300]
    tail = httpx.get(link, headers={"Range": f"bytes={len(video) - 10}-"})
    assert tail.status_code == 206 and tail.content == video[-10:]
    poster = viewer.get(f"/jobs/clips/{clip.pk}/poster/")
    assert poster.status_code == 302
    assert httpx.get(poster["Location"]).content == _object(bucket, clip.poster)
    assert client_for(cast.outsider).get(f"/jobs/clips/{clip.pk}/video/").status_code == 404
