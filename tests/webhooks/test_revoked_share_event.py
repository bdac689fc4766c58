"""A job failed because the library it uses stopped being shared sends job.failed too."""

from library.test_revoked_share import _job, shared  # noqa: F401 - the fixture, by name

from storyboard.jobs.models import State
from storyboard.library.actions import revoke_share
from storyboard.webhooks.actions import add_webhook
from storyboard.webhooks.models import Delivery


def test_revoking_a_share_sends_job_failed_for_the_jobs_it_fails(cast, shared,  # noqa: F811
                                                                webhook_tasks):
    mara, share_row, board = shared
    add_webhook(cast.team_b, "https://hooks.example.com/b", ["job.failed"])
    queued = _job(board, "q", State.QUEUED)
    _job(board, "r", State.PROCESSING)
    revoke_share(share_row, cast.owner)
    delivery = Delivery.objects.get()
    assert delivery.event == "job.failed"
    assert delivery.payload["data"]["job"]["id"] == str(queued.id)
    assert delivery.payload["data"]["job"]["failure"] == "unavailable"
    assert webhook_tasks.ids == [str(delivery.id)]
