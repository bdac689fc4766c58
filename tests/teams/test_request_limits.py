"""A request over Django's size limits is answered with the app's own message naming the limit
(not a bare "Bad request"), as a page or, for script uploads, as plain text."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


def _files(n):
    return [SimpleUploadedFile(f"p{i}.jpg", b"x", content_type="image/jpeg") for i in range(n)]


def test_too_many_files_in_one_upload_names_the_limit(cast, client_for, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 5
    client = client_for(cast.editor)
    response = client.post("/library/upload/", {"files": _files(6)})
    assert response.status_code == 400
    assert "Too many files in one request: at most 5." in response.content.decode()


def test_a_script_upload_over_the_limit_gets_the_message_as_text(cast, client_for, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 5
    client = client_for(cast.editor)
    response = client.post("/library/upload/", {"files": _files(6)},
                           headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith("Too many files in one request: at most 5.")


def test_pasted_text_over_the_body_limit_names_the_size(cast, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
    client = client_for(cast.editor)
    response = client.post("/storyboards/import/", {"text": "x" * 1_100_000})
    assert response.status_code == 413
    assert "at most 1 MB of form text" in response.content.decode()
