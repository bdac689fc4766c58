"""A vendor forgets what we cached — an element deleted on its dashboard, an upload that
expired, a sandbox restarted — and the job makes it again, once, and continues."""

import json

import pytest
from jobs.conftest import video_tasks
from jobs.transports import Faulty, answer, is_create, missing_element, times, use, when
from library.media_factory import make_image, make_image_element
from providers.sandbox_helpers import client

from storyboard.boards.models import Slot
from storyboard.jobs.actions import submit_job
from storyboard.jobs.models import RemoteElement

PROMPTS = ("@element_1 walks along the pier", "@element_1 looks at the sea")


def _element_board(board, account, cast, name="Mara"):
    b = board(account, prompts=PROMPTS)
    hero = make_image_element(cast.team_a, cast.editor, name=name)
    Slot.objects.create(storyboard=b, name="element_1", element_version=hero.current_version)
    return b


def _delete_on_the_vendor(sandbox, dialect: str, element_id: str) -> None:
    with client(sandbox, dialect) as http:
        if dialect == "useapi":
            response = http.delete(f"/elements/{element_id}")
        else:
            response = http.post("/v1/general/delete-elements", json={"element_id": element_id})
    assert response.status_code < 300, response.text


@pytest.mark.parametrize("dialect", ["useapi", "kling"])
def test_an_element_deleted_on_the_vendor_is_created_again_and_the_job_succeeds(
        dialect, cast, board, queue, sandbox_account, sandbox):
    account = sandbox_account(dialect)
    b = _element_board(board, account, cast)
    first = queue.drive(submit_job(b, cast.editor, "k1"))
    assert first.state == "succeeded", first.failure_text
    old = RemoteElement.objects.get(account=account).remote_id
    _delete_on_the_vendor(sandbox, dialect, old)

    second = queue.drive(submit_job(b, cast.editor, "k2"))
    assert second.state == "succeeded", second.failure_text
    new = RemoteElement.objects.get(account=account).remote_id
    assert new and new != old
    assert new in json.dumps(second.request_body) and old not in json.dumps(second.request_body)
    assert second.elements_recreated and not first.elements_recreated
    assert len(video_tasks(sandbox, dialect)) == 2  # the refused create made no task


@pytest.mark.parametrize("dialect", ["useapi", "kling"])
def test_a_second_miss_fails_the_job_naming_the_element_once(dialect, cast, board, queue,
                                                             sandbox_account, sandbox,
                                                             monkeypatch):
    faulty = Faulty(when(is_create, missing_element(dialect)))
    use(monkeypatch, faulty)
    account = sandbox_account(dialect)
    job = queue.drive(submit_job(_element_board(board, account, cast, "Old Sailor"),
                                 cast.editor, "k"))
    assert (job.state, job.failure, job.elements_recreated) == ("failed", "rejected", True)
    assert "'Old Sailor'" in job.failure_text and "even after it was created again" in \
        job.failure_text
    # One lead sentence of ours, then the vendor's words, each once.
    assert job.failure_text.count("does not exist") + job.failure_text.count("was not found") \
        == 1, job.failure_text
    assert faulty.count("POST", lambda path: path.endswith(("/videos/omni", "/omni-video"))) \
        == 2
    assert video_tasks(sandbox, dialect) == []
    # The stale id is not kept for the next job.
    assert RemoteElement.objects.get(account=account).remote_id == ""


def test_an_element_given_as_a_vendor_id_is_not_retried(cast, board, queue, sandbox_account,
                                                        sandbox, monkeypatch):
    """A batch file may name a vendor's element id: we cannot create that one again."""
    from storyboard.jobs import batch

    use(monkeypatch, Faulty(when(is_create, missing_element("useapi"))))
    account = sandbox_account("useapi")
    path = _batch_file(cast, [{"prompt": "@element_1 waves", "duration": "5",
                               "element_1": "u_gone"}])
    items = batch.prepare(path, account)
    batch.submit_all(items, account, cast.editor)
    job = queue.drive(items[0].job)
    assert (job.state, job.failure, job.elements_recreated) == ("failed", "rejected", False)
    assert "id u_gone" in job.failure_text and "given as an id" in job.failure_text


def _batch_file(cast, items):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    path = folder / "prompts.json"
    path.write_text(json.dumps(items))
    return path


def test_an_upload_the_vendor_lost_is_uploaded_again_once(cast, board, queue, sandbox_account,
                                                          sandbox, monkeypatch):
    lost = {"error": "VALID.ResourceNotFound", "code": 404}
    faulty = Faulty(times(1, when(is_create, answer(404, lost))))
    use(monkeypatch, faulty)
    account = sandbox_account("useapi")
    b = board(account, prompts=("A lighthouse @image_1", "The lamp @image_1"))
    Slot.objects.create(storyboard=b, name="image_1",
                        image=make_image(cast.team_a, cast.editor, name="light.png"))
    job = queue.drive(submit_job(b, cast.editor, "k"))
    assert job.state == "succeeded", job.failure_text
    assert job.uploads_redone and job.provider_text == ""
    assert faulty.count("POST", lambda path: path.rstrip("/").endswith("/assets")) == 2
    assert len(video_tasks(sandbox, "useapi")) == 1


def test_an_upload_lost_twice_fails_with_one_plain_reason(cast, board, queue, sandbox_account,
                                                          sandbox, monkeypatch):
    lost = {"error": "VALID.ResourceNotFound", "code": 404}
    use(monkeypatch, Faulty(when(is_create, answer(404, lost))))
    b = board(sandbox_account("useapi"), prompts=("A lighthouse @image_1", "The lamp"))
    Slot.objects.create(storyboard=b, name="image_1",
                        image=make_image(cast.team_a, cast.editor, name="light.png"))
    job = queue.drive(submit_job(b, cast.editor, "k"))
    assert job.state == "failed" and job.uploads_redone
    assert job.failure_text.startswith("The provider no longer has a file this job uploaded")
    assert job.failure_text.count("VALID.ResourceNotFound") == 1
