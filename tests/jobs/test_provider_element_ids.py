"""A storyboard whose element slot holds a provider's own element id (from an import) is submitted
with that id sent as is — no element created, no library item held — and a remix keeps it."""

import json

from storyboard.boards.importing import import_batch
from storyboard.jobs.actions import remix_job, submit_job
from storyboard.jobs.models import JobSource, RemoteElement


def test_an_imported_provider_id_is_sent_as_is_and_kept_by_a_remix(cast, queue, sandbox,
                                                                    sandbox_account):
    account = sandbox_account("useapi")
    # The account already has this element (made on the vendor's side, outside this app).
    sandbox.state.put_element("useapi", "u_000042hero", {
        "id": "u_000042hero", "name": "Hero ABCDE", "tag": "character", "type": "image",
        "coverImage": None, "extraImages": [], "voice": None, "createTime": 0})
    [board] = import_batch(cast.team_a, cast.editor, json.dumps({
        "title": "Hero walk", "element_1": "u_000042hero", "shots": [
            {"prompt": "@element_1 walks in", "duration": "3"},
            {"prompt": "@element_1 waves", "duration": "2"}]}))
    board.account = account
    board.save()

    job = queue.drive(submit_job(board, cast.editor, "hero-1"))

    assert job.state == "succeeded", job.failure_text
    assert job.request_body["element_1"] == "u_000042hero"
    assert job.slot_sources == {} and not JobSource.objects.filter(job=job).exists()
    assert not RemoteElement.objects.exists()  # nothing was created on the vendor's side
    remix = remix_job(job, cast.editor)
    assert remix.slots.get().provider_element_id == "u_000042hero"


def test_an_id_the_account_does_not_have_fails_with_the_vendors_words(cast, queue, sandbox,
                                                                      sandbox_account):
    account = sandbox_account("useapi")
    [board] = import_batch(cast.team_a, cast.editor, json.dumps({
        "prompt": "@element_1 walks in", "duration": "5", "element_1": "u_nobody"}))
    board.account = account
    board.save()
    job = queue.drive(submit_job(board, cast.editor, "nobody-1"))
    assert job.state == "failed" and "Element u_nobody was not found" in job.failure_text
