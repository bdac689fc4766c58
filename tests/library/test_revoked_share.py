"""Stopping a share stops use: the other team's storyboards keep the element in its slot but
the check refuses it, submit is refused, its jobs not yet sent fail, and nothing of the owner's
stays held by the other team (the owner can delete the element)."""

import pytest
from boards.editor_form import form_of
from library.media_factory import make_image, make_image_element, share

from storyboard.boards.models import Shot, Slot, Storyboard
from storyboard.jobs import actions as job_actions
from storyboard.jobs.models import Failure, Job, JobSource, State
from storyboard.library.actions import LibraryError, delete_element, delete_image, revoke_share
from storyboard.library.models import Element

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(cast, monkeypatch):
    """Team A's element Mara, shared with team B, in team B's storyboard "Heist"."""
    monkeypatch.setattr(job_actions, "enqueue", lambda *a, **k: None)
    mara = make_image_element(cast.team_a, name="Mara")
    share_row = share(cast.team_a, cast.team_b, cast.owner)
    board = Storyboard.objects.create(team=cast.team_b, title="Heist", multi_shot=False,
                                      prompt="@element_1 opens the safe", duration="5")
    Slot.objects.create(storyboard=board, name="element_1", element_version=mara.current_version)
    return mara, share_row, board


def _job(board, key, state):
    job = job_actions.submit_job(board, None, key)
    Job.objects.filter(pk=job.pk).update(state=state)
    return Job.objects.get(pk=job.pk)


def test_while_shared_the_other_team_can_submit_and_the_version_is_not_locked(cast, shared):
    mara, _, board = shared
    job = job_actions.submit_job(board, None, "k1")
    assert JobSource.objects.get(job=job).element_version == mara.current_version
    mara.current_version.refresh_from_db()
    assert not mara.current_version.is_locked  # another team's use holds nothing of A's


def test_after_revoking_the_editor_says_no_longer_shared_and_submit_is_refused(
        cast, client_for, shared):
    mara, share_row, board = shared
    revoke_share(share_row, cast.owner)
    client = client_for(cast.outsider)
    page = client.get(f"/storyboards/{board.pk}/").content.decode()
    assert "element “Mara” is no longer shared with you" in page
    # Nor is its picture shown (the team may no longer load it: that would be a 404).
    frontal = mara.current_version.frontal
    assert f"/library/images/{frontal.pk}/" not in page
    assert client.get(f"/library/images/{frontal.pk}/256").status_code == 404
    saved = client.post(f"/storyboards/{board.pk}/save/", form_of(board, title="Heist 2"),
                        HTTP_HX_REQUEST="true")
    assert saved.status_code == 200  # the board itself still saves: nothing is lost
    assert "element “Mara” is no longer shared with you" in saved.content.decode()
    assert Storyboard.objects.get(pk=board.pk).title == "Heist 2"
    assert Slot.objects.filter(storyboard=board, name="element_1").exists()
    with pytest.raises(job_actions.SubmitRefused) as refused:
        job_actions.submit_job(board, None, "k2")
    codes = {p.code for p in refused.value.report.problems}
    assert "slot_unavailable" in codes
    assert not Job.objects.exists()


def test_revoking_fails_the_other_teams_queued_jobs_and_leaves_sent_ones(cast, shared):
    mara, share_row, board = shared
    queued = _job(board, "q", State.QUEUED)
    running = _job(board, "r", State.PROCESSING)
    done = _job(board, "d", State.SUCCEEDED)
    revoke_share(share_row, cast.owner)
    queued.refresh_from_db()
    assert queued.state == State.FAILED and queued.failure == Failure.UNAVAILABLE
    assert "Team A” no longer shares its library" in queued.failure_text
    assert "“Mara”" in queued.failure_text
    running.refresh_from_db()
    done.refresh_from_db()
    assert (running.state, done.state) == (State.PROCESSING, State.SUCCEEDED)


def test_after_revoking_the_owner_can_delete_the_element_the_other_team_used(cast, shared):
    mara, share_row, board = shared
    _job(board, "d", State.SUCCEEDED)
    _job(board, "r", State.PROCESSING)
    revoke_share(share_row, cast.owner)
    delete_element(mara)
    assert not Element.objects.filter(pk=mara.pk).exists()
    # Team B's storyboard stays, without the slot; its jobs keep their snapshot.
    assert Storyboard.objects.filter(pk=board.pk).exists()
    assert not Slot.objects.filter(storyboard=board).exists()
    assert Job.objects.filter(team=cast.team_b).count() == 2
    assert not JobSource.objects.exists()


def test_while_shared_a_running_job_of_the_other_team_blocks_the_delete(cast, shared):
    mara, _, board = shared
    _job(board, "r", State.PROCESSING)
    with pytest.raises(LibraryError, match="a job of team “Team B” \\(still running\\)"):
        delete_element(mara)
    assert Element.objects.filter(pk=mara.pk).exists()


def test_a_finished_job_lets_go_of_an_image_and_a_running_one_holds_it(cast, monkeypatch):
    monkeypatch.setattr(job_actions, "enqueue", lambda *a, **k: None)
    stove = make_image(cast.team_a, cast.editor, name="stove.png")
    board = Storyboard.objects.create(team=cast.team_a, title="Kitchen")
    for n in range(2):
        Shot.objects.create(storyboard=board, position=n, prompt="@image_1 heats", duration="3")
    Slot.objects.create(storyboard=board, name="image_1", image=stove)
    job = job_actions.submit_job(board, None, "k")
    Slot.objects.filter(storyboard=board).delete()
    with pytest.raises(LibraryError, match=f"job {job.short_id} \\(still running\\)"):
        delete_image(stove)
    Job.objects.filter(pk=job.pk).update(state=State.SUCCEEDED)
    stove_id = stove.pk
    delete_image(stove)
    assert not JobSource.objects.exists()
    job.refresh_from_db()
    assert job.slot_sources == {"image_1": {"image": stove_id}}  # the snapshot stays


def test_the_worker_is_told_not_to_send_a_job_whose_share_ended_after_queueing(cast, shared):
    _, share_row, board = shared
    job = job_actions.submit_job(board, None, "k")
    assert job_actions.unshared_text(job) == ""
    # Revoked without the jobs' side running (as if the worker had claimed the job already).
    share_row.revoked_at = share_row.created_at
    share_row.save(update_fields=["revoked_at"])
    assert "element “Mara”" in job_actions.unshared_text(job)
    assert "no longer shares its library" in job_actions.unshared_text(job)


def test_a_job_queued_before_the_share_ended_is_not_sent(cast, shared):
    from storyboard.jobs import worker

    _, share_row, board = shared
    job = job_actions.submit_job(board, None, "k")
    share_row.revoked_at = share_row.created_at  # as if revoked while the worker held the job
    share_row.save(update_fields=["revoked_at"])
    assert worker.submit_job_task(str(job.pk)) == "no longer shared"
    job.refresh_from_db()
    assert job.state == State.FAILED and job.failure == Failure.UNAVAILABLE
    assert "element “Mara”" in job.failure_text and job.request_body is None
