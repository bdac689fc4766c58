"""Batch files in and out: export writes the batch format, import reads it back resolving each
reference to one library item, and refuses the whole file when anything cannot be resolved."""

import json

from library.media_factory import make_image

from storyboard.boards.models import Slot, Storyboard


def test_export_writes_the_batch_format(cast, client_for, board, stove, chef):
    Slot.objects.create(storyboard=board, name="image_1", image=stove, role="first_frame")
    Slot.objects.create(storyboard=board, name="element_1", element_version=chef.current_version)
    response = client_for(cast.viewer).get(f"/storyboards/{board.pk}/export/")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kitchen.json"'
    items = json.loads(response.content)
    assert items[0]["title"] == "Kitchen"
    assert items[0]["shots"] == [{"prompt": "A chef at the stove", "duration": "3"},
                                 {"prompt": "The chef flips a pancake", "duration": "3"}]
    assert items[0]["image_1"] == {"ref": "stove", "role": "first_frame"}
    assert items[0]["element_1"]["ref"] == "Chef"


def test_export_then_import_gives_the_same_storyboard(cast, client_for, board, stove, chef):
    Slot.objects.create(storyboard=board, name="image_1", image=stove, role="first_frame")
    Slot.objects.create(storyboard=board, name="element_1", element_version=chef.current_version)
    client = client_for(cast.editor)
    text = client.get(f"/storyboards/{board.pk}/export/").content.decode()
    board.title = "Original"
    board.save()
    response = client.post("/storyboards/import/", {"text": text})
    copy = Storyboard.objects.get(title="Kitchen")
    assert response.status_code == 302 and response["Location"] == f"/storyboards/{copy.pk}/"
    assert [(s.prompt, s.duration) for s in copy.shots.all()] == [
        (s.prompt, s.duration) for s in board.shots.all()]
    slots = {s.name: s for s in copy.slots.all()}
    assert slots["image_1"].image == stove and slots["image_1"].role == "first_frame"
    assert slots["element_1"].element_version == chef.current_version
    assert client.get(f"/storyboards/{copy.pk}/export/").content.decode() == text


def test_an_uploaded_file_with_several_items_makes_several_storyboards(cast, client_for, stove):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = [{"prompt": "One @image_1", "duration": "5", "image_1": "stove.png"},
            {"shots": [{"prompt": "A", "duration": 2}, {"prompt": "B", "duration": 3}],
             "mode": "pro", "image_1": stove.sha256}]
    upload = SimpleUploadedFile("prompts.json", json.dumps(data).encode(), "application/json")
    response = client_for(cast.editor).post("/storyboards/import/", {"file": upload},
                                            follow=True)
    assert "Imported 2 storyboards." in response.content.decode()
    one, two = Storyboard.objects.order_by("id")
    assert (one.title, one.multi_shot, one.prompt, one.duration) == (
        "prompts · item 1", False, "One @image_1", "5")
    assert (two.title, two.multi_shot, two.mode) == ("prompts · item 2", True, "pro")
    assert one.slots.get().image == stove and two.slots.get().image == stove


def test_unresolved_references_are_reported_and_nothing_is_imported(cast, client_for, stove):
    make_image(cast.team_a, name="twin.png", color=(1, 1, 1))
    make_image(cast.team_a, name="twin.png", color=(2, 2, 2))
    theirs = make_image(cast.team_b, name="secret.png")
    data = [{"prompt": "fine", "image_1": "stove"},
            {"prompt": "bad", "image_1": "nowhere.jpg", "image_2": "twin",
             "element_1": "Nobody", "image_3": theirs.sha256}]
    response = client_for(cast.editor).post("/storyboards/import/", {"text": json.dumps(data)})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was imported." in html
    assert "item 2, image_1: “nowhere.jpg” matches no image in the library" in html
    assert "item 2, image_2: 2 library items are called “twin”" in html
    assert "item 2, element_1: “Nobody” matches no element in the library (by name)" in html
    assert f"item 2, image_3: “{theirs.sha256}” matches no image" in html
    assert not Storyboard.objects.exists()


def test_a_file_that_is_not_a_batch_file_says_where(cast, client_for):
    client = client_for(cast.editor)
    response = client.post("/storyboards/import/", {"text": "[{\"prompt\": 1}]"})
    assert response.status_code == 422
    assert "item 1" in response.content.decode()
    response = client.post("/storyboards/import/", {"text": "{not json"})
    assert "not JSON (line 1, column 2" in response.content.decode()
    response = client.post("/storyboards/import/", {"text": " "})
    assert "choose a batch file" in response.content.decode()
    assert not Storyboard.objects.exists()


def test_seven_shots_or_an_unknown_mode_are_refused(cast, client_for):
    data = [{"shots": [{"prompt": "x", "duration": 1}] * 7},
            {"prompt": "x", "mode": "8k", "omni_version": "v9"}]
    response = client_for(cast.editor).post("/storyboards/import/", {"text": json.dumps(data)})
    html = response.content.decode()
    assert "item 1: 7 shots; a storyboard holds 2–6" in html
    assert "item 2: mode “8k” is not one of std, pro, 4k" in html
    assert "item 2: omni_version “v9” is not one of o1, v3" in html
    assert not Storyboard.objects.exists()


def test_check_errors_do_not_stop_an_import(cast, client_for):
    data = {"title": "Too long", "shots": [{"prompt": "x", "duration": 9},
                                           {"prompt": "y", "duration": 9}]}
    client_for(cast.editor).post("/storyboards/import/", {"text": json.dumps(data)})
    assert Storyboard.objects.get().title == "Too long"  # the editor then shows 18 s of 3–15


def test_only_editors_import(cast, client_for):
    for user in (cast.reviewer, cast.viewer):
        assert client_for(user).post("/storyboards/import/", {
            "text": '{"prompt": "x"}'}).status_code == 403
    assert not Storyboard.objects.exists()
