"""useapi takes images only as URLs of its own uploads (POST /assets): a bare web address is never
sent to be refused. A job that holds one without a library file behind it is refused before the
create, saying what to do; a library image behind the slot is uploaded and its asset URL sent;
vendors that fetch addresses themselves get the address as written."""

import pytest
from recorded import Replay, answer, provider, two_shot_kitchen

from storyboard.providers.base import Failure, Media, ProviderError
from storyboard.providers.prepare import prepare_refs
from storyboard.providers.useapi import recorded as useapi


def _prepare(p, media=None):
    return prepare_refs(p, two_shot_kitchen(p.dialect), media=lambda slot: media,
                        elements=lambda slot: None, element_ids={})


def test_a_bare_address_is_refused_before_anything_is_sent():
    replay = Replay({})
    with pytest.raises(ProviderError) as refused:
        _prepare(provider("useapi", replay))
    assert refused.value.kind == Failure.REJECTED and not refused.value.retryable
    assert refused.value.message == (
        "image_1: useapi.net takes only files uploaded to it, not a web address "
        "(https://example.com/kitchen.jpg); add the image to the library and use it from there.")
    assert replay.requests == []


def test_a_library_image_behind_the_slot_is_uploaded_and_its_asset_url_sent(tmp_path):
    picture = tmp_path / "kitchen.jpg"
    picture.write_bytes(b"\xff\xd8 a jpeg")
    replay = Replay({("POST", "/assets/"): answer(200, useapi.ASSET)})
    prepared = _prepare(provider("useapi", replay), Media(picture, "image/jpeg", "sha-1"))
    assert prepared.refs["image_1"] == useapi.ASSET["url"]
    upload = replay.requests[0]
    assert upload.headers["content-type"] == "image/jpeg" and upload.content == b"\xff\xd8 a jpeg"


@pytest.mark.parametrize("dialect", ["kling", "cometapi", "apimart"])
def test_vendors_that_fetch_addresses_get_the_address_as_written(dialect):
    replay = Replay({})
    prepared = _prepare(provider(dialect, replay))
    assert prepared.refs["image_1"] == "https://example.com/kitchen.jpg"
    assert replay.requests == []
