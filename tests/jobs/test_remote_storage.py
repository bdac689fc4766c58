"""Media on a store that is not this machine's disk (S3 through django-storages in production):
the same jobs run end to end with Django's in-memory storage, which has no local paths."""

import pytest
from django.core.files.storage import default_storage
from library.media_factory import jpeg, upload

from storyboard.boards.models import Slot
from storyboard.jobs.actions import submit_job
from storyboard.library.actions import store_image_upload
from storyboard.storage import is_local


@pytest.fixture
def remote_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    settings.VAR_DIR = tmp_path / "var"
    yield


@pytest.mark.parametrize("dialect", [None, "kling", "useapi"])
def test_jobs_run_with_media_on_a_remote_store(dialect, remote_storage, cast, board, queue,
                                               sandbox_account, client_for):
    assert not is_local()
    account = sandbox_account(dialect) if dialect else None
    b = board(account, prompts=("A cook at @image_1", "The pan @image_1"))
    image = store_image_upload(cast.team_a, cast.editor, upload(jpeg(800, 600), "stove.jpg"))
    Slot.objects.create(storyboard=b, name="image_1", image=image.item)
    job = queue.drive(submit_job(b, cast.editor, "k"))
    assert job.state == "succeeded", job.failure_text
    clip = job.clips.get()
    assert default_storage.exists(clip.file) and default_storage.exists(clip.poster)
    response = client_for(cast.viewer).get(f"/jobs/clips/{clip.pk}/video/",
                                           HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
