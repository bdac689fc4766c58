"""A clip's details: the frozen snapshot (prompts per shot, references with thumbnails, element
versions, target, request body, provider task, credits), download and remix."""

from library.media_factory import make_image, make_image_element

from storyboard.boards.models import Slot, Storyboard
from storyboard.jobs.actions import submit_job
from storyboard.jobs.models import Job


def real_clip(cast, board, queue, **kw):
    b = board(prompts=("@element_1 lights the stove @image_1", "A pancake flies"), **kw)
    image = make_image(cast.team_a, cast.editor, name="stove.png", color=(190, 70, 40))
    hero = make_image_element(cast.team_a, cast.editor, name="Chef")
    Slot.objects.create(storyboard=b, name="image_1", image=image)
    Slot.objects.create(storyboard=b, name="element_1", element_version=hero.current_version)
    job = queue.drive(submit_job(b, cast.editor, "k"))
    assert job.state == "succeeded", job.failure_text
    return job.clips.get(), image, hero


def test_the_details_show_the_frozen_snapshot(cast, board, queue, client_for):
    clip, image, hero = real_clip(cast, board, queue)
    Job.objects.filter(pk=clip.job_id).update(remote_task_id="task-123", credits=2.5,
                                              request_body={"prompt": "sent <as is>"})
    # Changing the storyboard afterwards changes nothing in what the clip shows.
    Storyboard.objects.filter(pk=clip.job.storyboard_id).update(title="Renamed later")
    html = client_for(cast.viewer).get(f"/gallery/clips/{clip.pk}/").content.decode()
    assert "Shot 1</strong> · @element_1 lights the stove @image_1" in html
    assert "Shot 2</strong> · A pancake flies" in html
    assert "0:02.0–0:05.0" in html  # shot 2 of a 2 + 3 s plan
    assert f'src="/library/images/{image.pk}/256"' in html
    assert "<code>@image_1</code> stove <" in html
    frontal = hero.current_version.frontal
    assert f'src="/library/images/{frontal.pk}/256"' in html
    assert "Chef</a> · version 1" in html
    assert "Local preview (animatic)" in html and "task-123" in html and "2.5" in html
    assert "sent &lt;as is&gt;" in html
    assert "clean master" in html


def test_the_download_link_fetches_the_stored_master_with_a_file_name(cast, board, queue,
                                                                      client_for):
    clip, _, _ = real_clip(cast, board, queue)
    client = client_for(cast.viewer)
    html = client.get(f"/gallery/clips/{clip.pk}/").content.decode()
    assert f'href="/jobs/clips/{clip.pk}/video/?download=1" download>' in html
    response = client.get(f"/jobs/clips/{clip.pk}/video/?download=1")
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    assert "filename*=UTF-8''Coast-" in response["Content-Disposition"]


def test_editors_remix_from_the_details_and_viewers_only_read(cast, board, queue, client_for):
    clip, image, hero = real_clip(cast, board, queue)
    viewer_page = client_for(cast.viewer).get(f"/gallery/clips/{clip.pk}/").content.decode()
    assert "Remix into a new storyboard" not in viewer_page
    editor = client_for(cast.editor, csrf=True)
    page = editor.get(f"/gallery/clips/{clip.pk}/").content.decode()
    assert "Remix into a new storyboard" in page
    token = editor.cookies["csrftoken"].value
    response = editor.post(f"/jobs/{clip.job_id}/remix/", HTTP_X_CSRFTOKEN=token)
    remix = Storyboard.objects.get(parent=clip.job.storyboard)
    assert response["Location"] == f"/storyboards/{remix.pk}/"
    assert {s.name: s.item for s in remix.slots.all()} == {
        "image_1": image, "element_1": hero.current_version}


def test_a_reference_deleted_from_the_library_is_named_without_a_thumbnail(cast, client_for,
                                                                           make_clip):
    clip = make_clip()
    Job.objects.filter(pk=clip.job_id).update(
        slot_sources={"image_1": {"image": 999999}},
        snapshot={**clip.job.snapshot, "attachments": {"image_1": {"ref": "gone.png",
                                                                   "role": "first_frame"}}})
    html = client_for(cast.viewer).get(f"/gallery/clips/{clip.pk}/").content.decode()
    assert "gone.png (no longer in the library)" in html and "(first_frame)" in html


def test_another_teams_clip_is_not_found(cast, client_for, make_clip):
    theirs = make_clip(team=cast.team_b)
    assert client_for(cast.viewer).get(f"/gallery/clips/{theirs.pk}/").status_code == 404
