"""Video elements: a clip checked by docs/rules.md §14, trimmed to its first 8 s without
re-encoding, a poster frame, and an optional voice (an id, or a 5–60 s clip to clone)."""

import io

import pytest
from library.media_factory import probe, upload, video_upload, wav_bytes
from PIL import Image

from storyboard.library.models import Element, ElementVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(cast, client_for):
    return client_for(cast.editor)


def create(client, **data):
    return client.post("/library/elements/new/",
                       {"kind": "video", "name": "Runner", "tag": "character", **data})


def test_a_nine_second_clip_is_trimmed_to_eight_with_a_poster(cast, editor, read_stored):
    response = create(editor, clip=video_upload(seconds=9))
    assert response.status_code == 302, response.content.decode()[-2000:]
    version = Element.objects.get().current_version
    seconds, width, height, fps = probe(read_stored(version.clip))
    assert seconds == pytest.approx(8.0, abs=0.05) and (width, height, fps) == (720, 720, 24)
    assert version.clip_seconds == pytest.approx(8.0, abs=0.05)
    assert version.clip_codec == "mpeg4"  # remuxed, not re-encoded
    poster = Image.open(io.BytesIO(read_stored(version.poster)))
    assert poster.format == "JPEG"
    page = editor.get(response["Location"]).content.decode()
    assert f"/library/elements/versions/{version.pk}/poster" in page


def test_a_short_clip_is_kept_as_it_is(cast, editor, read_stored):
    assert create(editor, clip=video_upload(seconds=3)).status_code == 302
    version = ElementVersion.objects.get()
    assert probe(read_stored(version.clip))[0] == pytest.approx(3.0, abs=0.05)


@pytest.mark.parametrize("kw, message", [
    ({"seconds": 2}, "2.0 s long: at least 3 s"),
    ({"width": 640, "height": 360}, "640 × 360 px: both sides must be 720–2160 px"),
    ({"fps": 120}, "120 fps: the frame rate must be 24–60 fps"),
], ids=["2 seconds", "640x360", "120 fps"])
def test_a_bad_clip_is_refused_and_nothing_is_stored(kw, message, editor, stored_files):
    response = create(editor, clip=video_upload(**kw))
    assert response.status_code == 400
    assert f"Clip (clip): MP4 video is {message}" in response.content.decode()
    assert Element.objects.count() == 0 and stored_files() == []


def test_a_clip_is_required(editor):
    response = create(editor)
    assert "Clip: upload an MP4 or MOV clip." in response.content.decode()


def test_a_voice_id_is_kept(editor):
    assert create(editor, clip=video_upload(), voice_id="voice_123-ab").status_code == 302
    assert ElementVersion.objects.get().voice_id == "voice_123-ab"


def test_a_voice_clip_of_six_seconds_is_kept_and_served(editor, read_stored):
    assert create(editor, clip=video_upload(),
                  voice_clip=upload(wav_bytes(6), "me.wav", "audio/wav")).status_code == 302
    version = ElementVersion.objects.get()
    assert version.voice_seconds == pytest.approx(6.0)
    response = editor.get(f"/library/elements/versions/{version.pk}/voice")
    assert response["Content-Type"] == "audio/wav"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("seconds", [4, 61])
def test_a_voice_clip_outside_5_to_60_seconds_is_refused(seconds, editor, stored_files):
    response = create(editor, clip=video_upload(),
                      voice_clip=upload(wav_bytes(seconds), "me.wav", "audio/wav"))
    assert response.status_code == 400
    assert f"the voice clip is {seconds:.1f} s long: 5–60 s" in response.content.decode()
    assert Element.objects.count() == 0 and stored_files() == []


def test_a_voice_id_and_a_voice_clip_together_are_refused(editor):
    response = create(editor, clip=video_upload(), voice_id="v1",
                      voice_clip=upload(wav_bytes(6), "me.wav", "audio/wav"))
    assert "Voice: give a voice id or a clip to clone from, not both." in \
        response.content.decode()


def test_editing_without_a_new_clip_keeps_the_clip_in_a_new_version(cast, editor):
    create(editor, clip=video_upload())
    element = Element.objects.get()
    first = element.current_version
    response = editor.post(f"/library/elements/{element.pk}/edit/",
                           {"name": "Runner", "tag": "character", "voice_id": "v2"})
    assert response.status_code == 302
    element.refresh_from_db()
    second = element.current_version
    assert second.number == 2 and second.clip == first.clip and second.voice_id == "v2"
    assert editor.get(f"/library/elements/versions/{first.pk}/file").status_code == 200


@pytest.mark.parametrize("tag,has_voice,refused", [
    ("prop", True, True), ("", True, True), ("character", True, False), ("prop", False, False)])
def test_only_a_character_element_may_carry_a_voice(tag, has_voice, refused):
    from storyboard.library.limits import voice_tag_problem

    message = voice_tag_problem(tag, has_voice)
    assert (message is not None) is refused
    if refused:
        assert message.startswith("Voice:") and "Character" in message


def test_the_form_says_which_elements_can_carry_a_voice(editor):
    page = editor.get("/library/elements/new/?kind=video").content.decode()
    assert "Only a Character element can carry a voice." in page


def test_a_voice_on_a_prop_element_is_refused_by_the_form(editor, stored_files):
    response = editor.post("/library/elements/new/?kind=video", {
        "kind": "video", "name": "Lamp", "tag": "prop", "voice_id": "v1",
        "clip": video_upload()})
    assert response.status_code == 400
    assert "Voice: only a Character element can carry a voice" in response.content.decode()
    assert Element.objects.count() == 0 and stored_files() == []


def test_retagging_a_voiced_element_away_from_character_is_refused(editor):
    assert create(editor, clip=video_upload(), voice_id="v1").status_code == 302
    element = Element.objects.get()
    response = editor.post(f"/library/elements/{element.pk}/edit/",
                           {"name": "Runner", "tag": "prop", "voice_id": "v1"})
    assert "Voice: only a Character element can carry a voice" in response.content.decode()
    assert element.versions.count() == 1
