"""An import takes an element given by a provider's own id (`u_…`, or a whole number) as
`omni_batch` does: the slot keeps that id, the tray shows it as a provider id, the editor keeps
it across saves, the checks judge it per target, and the export writes it back as it came."""

import json
import re

import pytest
from boards.editor_form import form_of
from django.db import IntegrityError, transaction
from library.media_factory import make_image_element

from storyboard.boards.models import Slot, Storyboard
from storyboard.teams.accounts import AccountInput, add_account

ITEM = {"title": "Hero walk", "prompt": "@element_1 walks past @image_1", "duration": "5",
        "element_1": "u_abc123XYZ", "image_1": "stove"}


def _import(client, *items):
    return client.post("/storyboards/import/", {"text": json.dumps(list(items))})


def _tray_slot(html: str, name: str) -> str:
    found = re.search(rf'<li class="slot" data-slot="{name}".*?</li>', html, re.S)
    assert found, f"no {name} in the tray"
    return found.group(0)


def test_an_element_given_by_a_provider_id_is_imported_as_that_id(cast, client_for, stove):
    client = client_for(cast.editor)
    response = _import(client, ITEM)
    board = Storyboard.objects.get(title="Hero walk")
    assert response.status_code == 302 and response["Location"] == f"/storyboards/{board.pk}/"
    slots = {s.name: s for s in board.slots.all()}
    element = slots["element_1"]
    assert element.provider_element_id == "u_abc123XYZ"
    assert (element.element_version, element.image, element.video) == (None, None, None)
    assert slots["image_1"].image == stove
    # The tray says what it is, under the id, with no picture, and carries it in the form.
    slot = _tray_slot(client.get(f"/storyboards/{board.pk}/").content.decode(), "element_1")
    assert "Provider id" in slot and 'title="u_abc123XYZ"' in slot
    assert 'name="item_element_1" value="provider:u_abc123XYZ"' in slot
    assert "<img" not in slot


def test_a_whole_number_is_a_provider_id_too_but_a_library_name_comes_first(cast, client_for):
    numbered = make_image_element(cast.team_a, cast.editor, name="4242")  # named by a number
    response = _import(client_for(cast.editor),
                       {"title": "Ids", "prompt": "@element_1 @element_2", "element_1": "4242",
                        "element_2": "307212335131305"})
    assert response.status_code == 302
    slots = {s.name: s for s in Storyboard.objects.get(title="Ids").slots.all()}
    assert slots["element_1"].element_version == numbered.current_version
    assert slots["element_2"].provider_element_id == "307212335131305"


def test_a_reference_that_is_neither_a_library_element_nor_an_id_is_refused(cast, client_for):
    response = _import(client_for(cast.editor),
                       {"prompt": "fine @element_1", "element_1": "u_ok"},
                       {"prompt": "bad @element_1 @element_2", "element_1": "u_bad id!",
                        "element_2": {"ref": "Nobody", "name": "Nobody"}})
    assert response.status_code == 422
    html = response.content.decode()
    assert ("item 2, element_1: “u_bad id!” matches no element in the library (by name), and "
            "is not a provider&#x27;s element id (u_… or a whole number)") in html
    assert "item 2, element_2: “Nobody” matches no element in the library" in html
    assert not Storyboard.objects.exists()


def _save(client, board, **changes):
    return client.post(f"/storyboards/{board.pk}/save/", form_of(board, **changes),
                       HTTP_HX_REQUEST="true")


def test_the_editor_keeps_a_provider_id_across_saves(cast, client_for, stove):
    client = client_for(cast.editor)
    _import(client, ITEM)
    board = Storyboard.objects.get(title="Hero walk")
    tray = {"element_1": "provider:u_abc123XYZ", "image_1": f"image:{stove.pk}"}
    for n, prompt in enumerate(["@element_1 runs past @image_1",
                                "@element_1 stops at @image_1"], start=2):
        response = _save(client, board, prompt=prompt, slots=tray)
        assert response.status_code == 200 and f"Saved · version {n}" in response.content.decode()
    board.refresh_from_db()
    assert board.prompt == "@element_1 stops at @image_1"
    assert board.slots.get(name="element_1").provider_element_id == "u_abc123XYZ"
    # Removing it from the tray empties the slot, as for any reference.
    _save(client, board, slots={"image_1": f"image:{stove.pk}"})
    assert list(board.slots.values_list("name", flat=True)) == ["image_1"]


def test_a_form_value_that_is_no_provider_id_is_refused_naming_the_slot(cast, client_for,
                                                                         board):
    client = client_for(cast.editor)
    response = _save(client, board, slots={"element_1": "provider:../../etc"})
    assert response.status_code == 422
    assert "@element_1 holds “../../etc”, which is not a provider&#x27;s element id" in (
        response.content.decode())
    response = _save(client, board, slots={"image_1": "provider:u_abc"})
    assert response.status_code == 422
    assert not Slot.objects.filter(storyboard=board).exists()


def test_the_checks_say_which_targets_take_the_id(cast, client_for, settings):
    settings.STORYBOARD_PUBLIC_BASE_URL = ""
    useapi = add_account(cast.team_a, AccountInput("useapi", "Studio useapi", {"token": "t"}))
    kling = add_account(cast.team_a, AccountInput("kling", "Studio Kling",
                                                  {"access_key": "ak", "secret_key": "sk"}))
    client = client_for(cast.editor)
    _import(client, {"title": "Hero", "prompt": "@element_1 walks", "duration": "5",
                     "element_1": "u_abc123XYZ"})
    board = Storyboard.objects.get(title="Hero")
    tray = {"element_1": "provider:u_abc123XYZ"}
    html = _save(client, board, target=f"{useapi.pk}/v3", slots=tray).content.decode()
    assert _box(html, "element_1") == ""  # useapi takes its u_… ids
    html = _save(client, board, target=f"{kling.pk}/v3", slots=tray).content.decode()
    assert ("element 1 is &quot;u_abc123XYZ&quot;, but kling v3 takes element ids that are "
            "whole numbers") in _box(html, "element_1")


def _box(html: str, dom_id: str) -> str:
    found = re.search(rf'<ul class="problems" id="p-{dom_id}"[^>]*>(.*?)</ul>', html, re.S)
    assert found, f"no box p-{dom_id}"
    return found.group(1)


def test_the_export_writes_the_id_back_and_imports_again_as_the_same(cast, client_for, stove):
    client = client_for(cast.editor)
    _import(client, ITEM)
    board = Storyboard.objects.get(title="Hero walk")
    text = client.get(f"/storyboards/{board.pk}/export/").content.decode()
    exported = json.loads(text)[0]
    assert exported["element_1"] == "u_abc123XYZ" and exported["image_1"] == "stove"
    board.title = "Original"
    board.save()
    assert _import(client, exported).status_code == 302
    again = Storyboard.objects.get(title="Hero walk")
    assert again.slots.get(name="element_1").provider_element_id == "u_abc123XYZ"
    assert client.get(f"/storyboards/{again.pk}/export/").content.decode() == text


def test_a_duplicate_keeps_the_id(cast, client_for, stove):
    client = client_for(cast.editor)
    _import(client, ITEM)
    board = Storyboard.objects.get(title="Hero walk")
    client.post(f"/storyboards/{board.pk}/duplicate/")
    copy = Storyboard.objects.get(title="Copy of Hero walk")
    assert copy.slots.get(name="element_1").provider_element_id == "u_abc123XYZ"


def test_the_database_holds_a_slot_to_one_thing_only(board, chef):
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(storyboard=board, name="element_1", provider_element_id="u_abc",
                            element_version=chef.current_version)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(storyboard=board, name="element_1")  # nothing at all
    Slot.objects.create(storyboard=board, name="element_1", provider_element_id="u_abc")
