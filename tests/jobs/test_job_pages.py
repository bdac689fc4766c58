"""Job cards, their live updates, cancel / retry / remix, and what a running job protects."""

import re

import pytest
from library.media_factory import jpeg, upload

from storyboard.boards.actions import BoardError, delete_storyboard
from storyboard.boards.models import Slot, Storyboard
from storyboard.jobs.actions import cancel_job, submit_job
from storyboard.jobs.models import Job
from storyboard.library.actions import LibraryError, delete_image, store_image_upload


def test_the_card_polls_while_running_and_the_server_stops_it_when_final(cast, board, queue,
                                                                        client_for):
    job = submit_job(board(), cast.editor, "k")
    client = client_for(cast.viewer)
    running = client.get(f"/jobs/{job.pk}/status/", HTTP_HX_REQUEST="true")
    assert running.status_code == 200
    assert 'hx-trigger="every 2s"' in running.content.decode()
    job = queue.drive(job)
    final = client.get(f"/jobs/{job.pk}/status/", HTTP_HX_REQUEST="true")
    assert final.status_code == 286  # htmx stops polling
    page = final.content.decode()
    assert "every 2s" not in page and "<video" in page and "Succeeded" in page


def test_the_clip_streams_with_range_requests(cast, board, queue, client_for):
    job = queue.drive(submit_job(board(), cast.editor, "k"))
    clip = job.clips.get()
    response = client_for(cast.viewer).get(f"/jobs/clips/{clip.pk}/video/",
                                           HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206 and response["Content-Type"] == "video/mp4"
    assert response["Content-Range"].startswith("bytes 0-99/")
    assert response["X-Content-Type-Options"] == "nosniff"
    saved = client_for(cast.viewer).get(f"/jobs/clips/{clip.pk}/video/?download=1")
    assert saved["Content-Disposition"].startswith("attachment; filename*=UTF-8''Coast-")


def test_submitting_from_the_page_twice_makes_one_job(cast, board, queue, client_for):
    b = board()
    client = client_for(cast.editor, csrf=False)
    for _ in range(2):
        client.post(f"/jobs/submit/{b.pk}/", {"submit_key": "page-key", "version": b.version})
    assert Job.objects.count() == 1


def test_a_refused_submission_says_why(cast, board, queue, client_for):
    b = board(seconds=(10, 10))
    response = client_for(cast.editor).post(f"/jobs/submit/{b.pk}/", {"submit_key": "x"},
                                            follow=True)
    assert "Shots add up to 20 s" in response.content.decode()
    assert not Job.objects.exists()


def test_a_queued_job_is_cancelled_and_never_sent(cast, board, queue, sandbox_account):
    job = submit_job(board(sandbox_account("kling")), cast.editor, "k")
    cancel_job(job)
    queue.run_all()
    job.refresh_from_db()
    assert job.state == "cancelled" and not job.remote_task_id


def test_retry_makes_one_new_job_from_the_same_snapshot(cast, board, queue, sandbox_account,
                                                        client_for):
    job = queue.drive(submit_job(board(sandbox_account("kling"),
                                       prompts=("A [sandbox:fail]", "B")), cast.editor, "k"))
    assert job.state == "failed"
    client = client_for(cast.editor)
    client.post(f"/jobs/{job.pk}/retry/")
    client.post(f"/jobs/{job.pk}/retry/")  # a double click
    retried = Job.objects.exclude(pk=job.pk).get()
    assert retried.snapshot == job.snapshot and retried.state == "queued"


def test_remix_opens_a_new_storyboard_with_the_same_shots_and_references(cast, board, queue):
    b = board(prompts=("A chef at @image_1", "Flips the pan"))
    image = store_image_upload(cast.team_a, cast.editor, upload(jpeg(800, 600), "stove.jpg"))
    Slot.objects.create(storyboard=b, name="image_1", image=image.item)
    job = queue.drive(submit_job(b, cast.editor, "k"))
    from storyboard.jobs.actions import remix_job

    remix = remix_job(job, cast.editor)
    assert remix.title == "Coast (remix)" and remix.parent == b
    assert [s.prompt for s in remix.shots.all()] == ["A chef at @image_1", "Flips the pan"]
    assert remix.slots.get().image == image.item


def test_a_running_job_protects_its_storyboard_and_images(cast, board, queue, sandbox_account):
    b = board(sandbox_account("kling"), prompts=("At @image_1", "B"))
    image = store_image_upload(cast.team_a, cast.editor, upload(jpeg(800, 600), "stove.jpg"))
    Slot.objects.create(storyboard=b, name="image_1", image=image.item)
    job = submit_job(b, cast.editor, "k")
    with pytest.raises(BoardError, match="still running"):
        delete_storyboard(b)
    Slot.objects.all().delete()  # the storyboard no longer uses it; the job still does
    with pytest.raises(LibraryError, match=f"job {job.short_id}"):
        delete_image(image.item)
    queue.drive(job)
    delete_storyboard(Storyboard.objects.get(pk=b.pk))
    delete_image(image.item)


def test_the_jobs_page_shows_each_accounts_load(cast, board, queue, sandbox_account,
                                                client_for):
    account = sandbox_account("kling", max_jobs=2)
    for n in range(3):
        submit_job(board(account), cast.editor, f"k{n}")
    page = client_for(cast.viewer).get("/jobs/").content.decode()
    assert "Sandbox kling" in page and "0 of 2" in page
    assert page.count('class="job-card') == 3


def test_the_editor_submits_over_htmx_and_shows_the_card(cast, board, queue, client_for):
    b = board()
    client = client_for(cast.editor, csrf=True)
    page = client.get(f"/storyboards/{b.pk}/").content.decode()
    assert f'hx-post="/jobs/submit/{b.pk}/"' in page
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    key = re.search(r'"submit_key": "([^"]+)"', page).group(1)
    response = client.post(f"/jobs/submit/{b.pk}/", {"submit_key": key, "version": b.version},
                           HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and 'class="job-card' in response.content.decode()
    job = Job.objects.get()
    queue.drive(job)
    assert "<video" in client.get(f"/storyboards/{b.pk}/").content.decode()


def test_a_refused_htmx_submit_answers_422_with_the_reasons(cast, board, queue, client_for):
    b = board(seconds=(10, 10))
    response = client_for(cast.editor).post(f"/jobs/submit/{b.pk}/", {"submit_key": "k"},
                                            HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Not submitted." in response.content.decode()
    assert "Shots add up to 20 s" in response.content.decode()


def test_a_job_that_needs_attention_says_so_first_and_a_lookup_in_progress_is_shown(
        cast, board, queue, client_for):
    job = submit_job(board(), cast.editor, "k")
    Job.objects.filter(pk=job.pk).update(
        state="submitting", failure_text="Sent, but the answer was lost: looking the task up "
        "(2 of at most 12).")
    client = client_for(cast.viewer)
    page = client.get(f"/jobs/{job.pk}/status/", HTTP_HX_REQUEST="true").content.decode()
    assert "looking the task up (2 of at most 12)" in page
    Job.objects.filter(pk=job.pk).update(
        state="failed", failure="lost", needs_attention=True,
        failure_text="The create call was sent but no answer came back. On the dashboard, "
        "look for a task made at 08:00 UTC.")
    page = client.get(f"/jobs/{job.pk}/status/", HTTP_HX_REQUEST="true").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Needs attention. Lost. The create call was sent" in text


def test_a_second_click_with_the_same_key_replaces_the_card_instead_of_adding_one(
        cast, board, queue, client_for):
    b = board()
    client = client_for(cast.editor)
    data = {"submit_key": "same-page-key", "version": b.version}
    first = client.post(f"/jobs/submit/{b.pk}/", data, HTTP_HX_REQUEST="true").content.decode()
    again = client.post(f"/jobs/submit/{b.pk}/", data, HTTP_HX_REQUEST="true").content.decode()
    job = Job.objects.get()
    assert f'id="job-{job.pk}"' in first and "hx-swap-oob" not in first
    # Swapped out of band onto the card of the same id; nothing is prepended to the list.
    assert f'id="job-{job.pk}" aria-labelledby="job-title-{job.pk}" hx-swap-oob="true"' in again


def test_the_job_page_shows_the_request_body_as_json_with_a_copy_button(cast, client_for):
    job = Job.objects.create(team=cast.team_a, submit_key="k",
                             dialect="kling", model="v3", title="t", snapshot={},
                             request_body={"prompt": "a fox", "duration": "5", "sound": None})
    html = client_for(cast.viewer).get(f"/jobs/{job.pk}/").content.decode()
    assert "&quot;prompt&quot;: &quot;a fox&quot;,\n  &quot;duration&quot;: &quot;5&quot;" in html
    assert "&quot;sound&quot;: null" in html and "&#x27;prompt&#x27;" not in html
    assert 'aria-label="Copy the request body"' in html
