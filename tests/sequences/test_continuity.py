"""Continuity from a clip: its last frame as the next storyboard's first frame, or the clip as
its reference video, placed right after the clip's storyboard in the sequence."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from library import media_factory
from PIL import Image

from storyboard.boards.models import Storyboard
from storyboard.jobs.models import Clip, Job
from storyboard.sequences import actions
from storyboard.sequences.actions import SequenceRefused


def _clip(cast, board, seconds=3.0):
    """A take whose file is a real video; its colour changes every second, so the last frame
    (second 2: red 80) differs from the first (red 0)."""
    data = media_factory.video_bytes(width=1280, height=720, seconds=seconds)
    job = Job.objects.create(team=cast.team_a, storyboard=board, created_by=cast.editor,
                             dialect="animatic", model="v3", title=board.title,
                             submit_key=f"c-{Job.objects.count()}", state="succeeded",
                             snapshot={"shots": [{"duration": seconds}]},
                             planned_seconds=int(seconds))
    name = default_storage.save(f"clips/{job.pk}.mp4", ContentFile(data))
    return Clip.objects.create(job=job, team=cast.team_a, file=name, poster="", width=1280,
                               height=720, seconds=seconds, fps=24, byte_size=len(data),
                               sha256=hashlib.sha256(data).hexdigest())


def _titles(sequence):
    return list(sequence.entries.order_by("position").values_list("storyboard__title",
                                                                  flat=True))


def test_the_last_frame_is_the_clips_last_frame(cast):
    board = Storyboard.objects.create(team=cast.team_a, title="Harbour")
    clip = _clip(cast, board)
    png = actions.last_frame_png(default_storage.path(clip.file), clip.seconds)
    red, green, blue = Image.open(io.BytesIO(png)).convert("RGB").getpixel((640, 360))
    assert abs(red - 80) <= 6 and abs(green - 90) <= 6 and abs(blue - 160) <= 6


def test_continue_makes_the_next_storyboard_after_the_clip_in_its_sequence(cast):
    sequence = actions.create_sequence(cast.team_a, cast.editor, "Scene")
    first, last = (Storyboard.objects.create(team=cast.team_a, title=t) for t in ("One", "Two"))
    actions.add_storyboard(sequence, first)
    actions.add_storyboard(sequence, last)
    board = actions.continue_from_last_frame(_clip(cast, first), cast.editor)
    assert _titles(sequence) == ["One", "One (continued)", "Two"]
    slot = board.slots.get()
    assert (slot.name, slot.role) == ("image_1", "first_frame")
    assert slot.image.team_id == cast.team_a.pk and slot.image.width == 1280


def test_continue_from_a_storyboard_in_no_sequence_makes_one_named_after_it(cast):
    board = Storyboard.objects.create(team=cast.team_a, title="Alone")
    actions.continue_from_last_frame(_clip(cast, board), cast.editor)
    sequence = cast.team_a.sequences.get()
    assert sequence.title == "Alone"
    assert _titles(sequence) == ["Alone", "Alone (continued)"]


def test_the_next_shot_holds_the_clip_as_a_feature_reference_video_stored_once(cast):
    board = Storyboard.objects.create(team=cast.team_a, title="Chase")
    clip = _clip(cast, board, seconds=4.0)
    made = actions.next_shot_from_clip(clip, cast.editor)
    slot = made.slots.get()
    assert (slot.name, slot.refer_type) == ("video_1", "feature")
    assert slot.video.sha256 == clip.sha256 and abs(slot.video.seconds - 4.0) < 0.1
    again = actions.next_shot_from_clip(clip, cast.editor)
    assert again.slots.get().video_id == slot.video_id  # the library keeps one copy


def test_a_clip_longer_than_a_reference_video_may_be_is_refused_with_the_limit(cast):
    board = Storyboard.objects.create(team=cast.team_a, title="Long")
    clip = _clip(cast, board, seconds=11.0)
    with pytest.raises(SequenceRefused, match="at most 10 s"):
        actions.next_shot_from_clip(clip, cast.editor)
    assert Storyboard.objects.count() == 1


def test_the_buttons_post_and_open_the_new_storyboard(cast, client_for):
    from django.urls import reverse

    board = Storyboard.objects.create(team=cast.team_a, title="Door")
    clip = _clip(cast, board)
    client = client_for(cast.editor, csrf=False)
    page = client.get(reverse("gallery:clip", args=[clip.pk])).content.decode()
    assert "Continue from the last frame" in page
    assert "Generate the next shot from this clip" in page
    response = client.post(reverse("sequences:continue", args=[clip.pk]))
    made = Storyboard.objects.get(title="Door (continued)")
    assert response["Location"] == reverse("boards:detail", args=[made.pk])
    viewer_page = client_for(cast.viewer).get(reverse("gallery:clip", args=[clip.pk]))
    assert "Continue from the last frame" not in viewer_page.content.decode()
