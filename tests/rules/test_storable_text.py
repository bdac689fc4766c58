"""Strings no database can store are found with their place before anything is written."""

import json

from storyboard.rules.storable import first_unstorable, unstorable


def test_ordinary_text_is_storable_whatever_the_script():
    assert unstorable("Ein Koch am Herd 🍳 — 厨师 @image_1") is None


def test_a_nul_character_is_named():
    assert "NUL character" in unstorable("chef\x00")


def test_a_lone_surrogate_from_a_json_escape_is_named():
    text = json.loads('"chef \\ud800 at the stove"')
    assert "lone surrogate (U+D800)" in unstorable(text)


def test_the_place_inside_a_batch_item_is_given():
    item = json.loads('{"shots": [{"prompt": "ok"}, {"prompt": "bad \\u0000"}]}')
    where, why = first_unstorable(item)
    assert where == "shots[1].prompt"
    assert "NUL" in why


def test_a_surrogate_in_a_key_is_found_too():
    item = json.loads('{"\\udc80": "x"}')
    where, _ = first_unstorable(item)
    assert "key" in where


def test_a_batch_file_with_a_nul_or_a_lone_surrogate_is_refused_naming_item_and_field():
    import pytest

    from storyboard.rules import parse_batch
    from storyboard.rules.batch import BatchFormatError

    with pytest.raises(BatchFormatError, match=r"item 2, shots\[0\]\.prompt: contains a NUL"):
        parse_batch('[{"prompt": "ok"}, {"shots": [{"prompt": "a\\u0000", "duration": "3"}]}]')
    with pytest.raises(BatchFormatError, match=r"the storyboard, title: contains a lone surr"):
        parse_batch('{"prompt": "ok", "title": "\\ud800"}')
