"""The bodies our adapters build, validated against the vendors' documented schemas (written in
our own words in storyboard/providers/<vendor>/schema.py), for a set of storyboards: one shot,
several shots, reference images, frames, elements and a reference video."""

import pytest
from recorded import Replay, provider

from storyboard.providers.apimart import schema as apimart_schema
from storyboard.providers.kling import schema as kling_schema
from storyboard.providers.useapi import schema as useapi_schema
from storyboard.rules import Attachment, BodyOptions, Settings, Shot, Storyboard, Target

SCHEMAS = {"useapi": useapi_schema.create_body_problems,
           "kling": kling_schema.create_body_problems,
           "cometapi": kling_schema.create_body_problems,
           "apimart": apimart_schema.create_body_problems}
ELEMENT_ID = {"useapi": "u_123", "kling": "307212335131305", "cometapi": "307212335131305"}


def _board(dialect, shots, attachments=None, multi=False):
    single = {} if multi else {"prompt": shots[0].prompt, "duration": shots[0].duration}
    return Storyboard(settings=Settings(mode="pro", aspect_ratio="16:9", multi_shot=multi,
                                        **single),
                      target=Target(dialect, "v3"), shots=tuple(shots) if multi else (),
                      attachments=attachments or {})


def _cases(dialect):
    url = "https://pub.example/a.jpg"
    yield "single shot", _board(dialect, [Shot("A chef cooks", 5)]), {}
    yield "multi-shot", _board(dialect, [Shot("A chef @image_1", 3),
                                         Shot("He turns @image_1", 3)],
                               {"image_1": Attachment(url)}, multi=True), {"image_1": url}
    yield "images", _board(dialect, [Shot("@image_1 meets @image_2", 5)],
                           {"image_1": Attachment(url), "image_2": Attachment(url)}), {
        "image_1": url, "image_2": url}
    yield "first frame", _board(dialect, [Shot("It starts here", 5)],
                                {"image_1": Attachment(url, role="first_frame")}), {
        "image_1": url}
    if dialect in ELEMENT_ID:
        element = ELEMENT_ID[dialect]
        yield "element", _board(dialect, [Shot("@element_1 waves", 5)],
                                {"element_1": Attachment(element)}), {"element_1": element}
    video = "https://pub.example/v.mp4"
    yield "reference video", _board(dialect, [Shot("Continue @video_1", 5)],
                                    {"video_1": Attachment(video, refer_type="feature")}), {
        "video_1": video}


CASES = [(d, name, board, refs) for d in SCHEMAS for name, board, refs in _cases(d)]


@pytest.mark.parametrize("dialect, name, board, refs", CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_the_body_we_send_is_valid_for_the_vendor(dialect, name, board, refs):
    options = BodyOptions(external_task_id="job-1", callback_url="https://app.example/hook"
                          ) if dialect in ("kling", "cometapi") else BodyOptions()
    body = provider(dialect, Replay({})).body(board, refs, options)
    assert SCHEMAS[dialect](body) == [], body


@pytest.mark.parametrize("problems, body, where", [
    (kling_schema.create_body_problems,
     {"model_name": "kling-v3-omni", "prompt": "x", "duration": 5}, "duration"),
    (kling_schema.create_body_problems,
     {"model_name": "kling-v3-omni", "prompt": "x", "element_list": [{"element_id": "12"}]},
     "element_list.0.element_id"),
    (kling_schema.create_body_problems,
     {"model_name": "kling-v3-omni", "prompt": "x", "video_list": [{"video_url": "AAAA"}]},
     "video_list.0.video_url"),
    (useapi_schema.create_body_problems,
     {"prompt": "x", "shot_1_prompt": "a", "shot_1_duration": "3", "shot_2_prompt": "b",
      "shot_2_duration": "3"}, "(body)"),
    (apimart_schema.create_body_problems,
     {"model": "kling-v3-omni", "prompt": "x", "duration": "6"}, "duration"),
    (apimart_schema.create_body_problems,
     {"model": "kling-v3-omni", "prompt": "x", "webhook": "https://a"}, "(body)"),
])
def test_the_schemas_refuse_what_the_vendors_refuse(problems, body, where):
    found = problems(body)
    assert found and any(line.startswith(f"{where}:") for line in found), found


def test_the_element_bodies_are_valid_for_the_vendor(tmp_path):
    from storyboard.providers.base import ElementSpec, Media
    from storyboard.providers.kling import recorded as kling
    from storyboard.providers.useapi import recorded as useapi

    (tmp_path / "f.jpg").write_bytes(b"x")
    frontal = Media(tmp_path / "f.jpg", "image/jpeg", "h", "https://pub/f.jpg")
    spec = ElementSpec("Chef", "", "character", frontal=frontal, voice_id="v-1")
    from recorded import answer

    replay = Replay({("POST", "/v1/general/advanced-custom-elements"):
                     answer(200, kling.ELEMENT_CREATE),
                     ("GET", "/v1/general/advanced-custom-elements/870000001"):
                     answer(200, kling.ELEMENT_DONE)})
    provider("kling", replay).create_element(spec)
    assert kling_schema.element_body_problems(replay.bodies()[0]) == []
    replay = Replay({("POST", "/assets/"): answer(200, useapi.ASSET),
                     ("POST", "/elements"): answer(200, useapi.ELEMENT)})
    provider("useapi", replay).create_element(spec)
    assert useapi_schema.element_body_problems(replay.bodies()[-1]) == []
