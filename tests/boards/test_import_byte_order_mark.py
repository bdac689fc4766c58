"""A batch that starts with a byte-order mark (as Windows editors save it) imports the same
whether it comes as a file or as pasted text."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from storyboard.boards.models import Storyboard

BATCH = json.dumps([{"prompt": "A lighthouse at dawn", "duration": "5", "title": "Dawn"}])


def test_pasted_text_with_a_byte_order_mark_imports(cast, client_for):
    response = client_for(cast.editor).post("/storyboards/import/", {"text": "\ufeff" + BATCH})
    assert response.status_code == 302
    assert Storyboard.objects.get(team=cast.team_a, title="Dawn").prompt == "A lighthouse at dawn"


def test_a_file_with_a_byte_order_mark_imports_too(cast, client_for):
    upload = SimpleUploadedFile("dawn.json", ("\ufeff" + BATCH).encode(),
                                content_type="application/json")
    response = client_for(cast.editor).post("/storyboards/import/", {"file": upload})
    assert response.status_code == 302
    assert Storyboard.objects.filter(team=cast.team_a, title="Dawn").exists()


def test_an_import_with_a_lone_surrogate_or_nul_is_refused_naming_item_and_field(
        cast, client_for):
    for escape, what in (("\\ud800", "lone surrogate"), ("\\u0000", "NUL character")):
        text = '[{"prompt": "fine"}, {"prompt": "chef ' + escape + '"}]'
        response = client_for(cast.editor).post("/storyboards/import/", {"text": text})
        assert response.status_code == 422
        assert f"item 2, prompt: contains a {what}" in response.content.decode()
    assert not Storyboard.objects.filter(team=cast.team_a).exists()
