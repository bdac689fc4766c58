"""Property tests: no storyboard crashes the checks, and an ok storyboard always renders a body
that satisfies its dialect's documented constraints (docs/providers.md), re-checked here
independently of the rules package."""

import json
import re

from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from storyboard.rules.bodies import BodyOptions, build_body
from storyboard.rules.capabilities import TARGETS
from storyboard.rules.checks import CheckContext, check, cross_target_strip
from storyboard.rules.model import Attachment, Settings, Shot, Storyboard, Target

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOKENS = [
    "@image_1",
    " @image_2 ",
    "@image_3",
    "<<<image_1>>>",
    "@element_1",
    "<<<element_2>>>",
    "@video_1",
    "a@image_1x",
    "@image_10",
    "@image_9",
    " @video_2",
]
junk_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
prompts = st.one_of(
    st.lists(st.one_of(junk_text, st.sampled_from(TOKENS)), max_size=6).map("".join),
    st.sampled_from(["x" * 513, "🎬" * 1701, "y" * 2501, "z" * 100_000]),
)
durations = st.one_of(
    st.integers(-3, 20),
    st.integers(1, 9).map(str),
    st.sampled_from(["abc", "3.5", "", None, 2.0, 3.5, True, [], "５"]),
)
slots = st.sampled_from(
    [
        "image_1",
        "image_2",
        "image_3",
        "image_4",
        "image_5",
        "image_6",
        "image_7",
        "element_1",
        "element_2",
        "element_3",
        "element_4",
        "video_1",
        "image_9",
        "video_2",
        "element_0",
    ]
)
attachments = st.builds(
    Attachment,
    ref=st.sampled_from(["https://cdn.example.com/a.jpg", "local/a.png", "u_abc", "Chef"]),
    role=st.sampled_from(["reference", "reference", "first_frame", "end_frame", "side"]),
    refer_type=st.sampled_from(["feature", "base", "other"]),
    keep_original_sound=st.booleans(),
    name=st.sampled_from(["", "Chef", "Mara Lin"]),
    is_video_element=st.booleans(),
    frontal_image=st.sampled_from([None, "https://cdn.example.com/f.jpg"]),
    extra_images=st.lists(st.just("https://cdn.example.com/s.jpg"), max_size=4).map(tuple),
)
any_storyboard = st.builds(
    Storyboard,
    settings=st.builds(
        Settings,
        mode=st.sampled_from(["std", "pro", "4k", "ultra"]),
        aspect_ratio=st.sampled_from(["16:9", "9:16", "1:1", "auto", "4:3"]),
        duration=durations,
        count=st.one_of(st.integers(0, 5), st.just("two")),
        audio=st.booleans(),
        negative_prompt=st.sampled_from(["", "blur", "n" * 2501]),
        multi_shot=st.booleans(),
        prompt=prompts,
    ),
    target=st.sampled_from(TARGETS),
    shots=st.lists(st.builds(Shot, prompts, durations), max_size=8).map(tuple),
    attachments=st.dictionaries(slots, attachments, max_size=9),
)


@FAST
@given(any_storyboard, st.sampled_from([None, True, False]))
def test_any_storyboard_gets_a_report_for_every_target_without_raising(sb, flag):
    ctx = CheckContext(vip=flag, public_media=flag, element_ids={"cometapi": frozenset()})
    for target in TARGETS:
        report = check(sb, target, ctx)
        json.dumps(report.to_dict())
        assert report.ok == (report.to_dict()["ok"] is True)
        assert report.total_text()
        if report.ok:  # even a storyboard made of junk, once ok, renders a valid body
            CHECKERS[target.dialect](build_body(sb, target, options=OPTIONS), target.model)
    assert len(cross_target_strip(sb, ctx)) == len(TARGETS) - 1


# Storyboards biased towards valid ones, so that "ok" happens often.
VALID_TEXT = st.text(st.sampled_from("abc xyz,.é🎬"), min_size=1, max_size=40).filter(str.strip)


@st.composite
def plausible_storyboards(draw):
    n_img = draw(st.integers(0, 4))
    n_el = draw(st.integers(0, 3))
    att = {
        f"image_{i}": Attachment(
            f"https://cdn.example.com/{i}.jpg",
            role=draw(st.sampled_from(["reference", "reference", "first_frame", "end_frame"])),
        )
        for i in draw(st.lists(st.integers(1, 7), min_size=n_img, max_size=n_img, unique=True))
    }
    for i in range(1, n_el + 1):
        att[f"element_{i}"] = Attachment(
            f"u_{i}",
            name=f"Hero{i}",
            frontal_image="https://cdn.example.com/f.jpg",
            extra_images=("https://cdn.example.com/s.jpg",) * draw(st.integers(1, 3)),
            is_video_element=draw(st.booleans()),
        )
    if draw(st.booleans()):
        att["video_1"] = Attachment(
            "https://cdn.example.com/v.mp4", refer_type=draw(st.sampled_from(["feature", "base"]))
        )
    slots = sorted(att)

    def prompt():
        mentions = draw(st.lists(st.sampled_from(slots), max_size=3)) if slots else []
        return draw(VALID_TEXT) + "".join(f" @{s}" for s in mentions)

    multi = draw(st.booleans())
    shots = tuple(Shot(prompt(), draw(st.integers(1, 4))) for _ in range(draw(st.integers(2, 4))))
    settings_ = Settings(
        mode=draw(st.sampled_from(["std", "pro", "4k"])),
        aspect_ratio=draw(st.sampled_from(["16:9", "9:16", "1:1", "auto"])),
        duration=draw(st.sampled_from([3, 5, 7, 10, 12, "5"])),
        count=draw(st.sampled_from([1, 1, 2])),
        audio=draw(st.booleans()),
        negative_prompt=draw(st.sampled_from(["", "blurry"])),
        multi_shot=multi,
        prompt=prompt() if not multi or draw(st.booleans()) else "",
    )
    return Storyboard(settings_, draw(st.sampled_from(TARGETS)), shots if multi else (), att)


TOKEN = re.compile(r"<<<(image|element|video)_(\d+)>>>")
OPTIONS = BodyOptions(external_task_id="job-1", callback_url="https://h/cb", webhook="https://h/w")


def assert_useapi(body, model):
    assert body["omni_version"] == model
    assert body["mode"] in ("std", "pro", "4k") and body["aspect_ratio"] in (
        "16:9",
        "9:16",
        "1:1",
        "auto",
    )
    if "video_1" in body:
        assert body["aspect_ratio"] == "auto"
    hi = 10 if model == "o1" else 15
    shot_keys = sorted(k for k in body if k.startswith("shot_"))
    if shot_keys:
        assert "prompt" not in body and "duration" not in body
        n = len(shot_keys) // 2
        assert 2 <= n <= 6 and model == "v3"
        assert shot_keys == sorted(
            f"shot_{i}_{k}" for i in range(1, n + 1) for k in ("prompt", "duration")
        )
        secs = [body[f"shot_{i}_duration"] for i in range(1, n + 1)]
        assert all(isinstance(s, str) and s.isdigit() and int(s) >= 1 for s in secs)
        assert 3 <= sum(map(int, secs)) <= hi
        texts = [body[f"shot_{i}_prompt"] for i in range(1, n + 1)]
        assert all(0 < len(t) <= 512 for t in texts)
    else:
        if "duration" in body:
            assert isinstance(body["duration"], str) and 3 <= int(body["duration"]) <= hi
        else:  # a base video edit: the video sets the length
            assert "video_1" in body
        assert 0 < len(body["prompt"]) <= 1700
        texts = [body["prompt"]]
    for kind in ("image", "element"):
        keys = sorted(int(k.split("_")[1]) for k in body if re.fullmatch(rf"{kind}_\d+", k))
        assert keys == list(range(1, len(keys) + 1)), "numbered without gaps"
        for t in texts:
            for m in re.finditer(rf"(?<!\w)@{kind}_(\d+)(?!\w)", t):
                assert f"{kind}_{m.group(1)}" in body, (t, body)
    n_refs = sum(1 for k in body if re.fullmatch(r"(image|element)_\d+|frame_(start|end)", k))
    assert n_refs <= (4 if "video_1" in body else 7)
    assert 1 <= body.get("count", 1) <= 4


def assert_kling(body, model):
    assert body["model_name"] == {"o1": "kling-video-o1", "v3": "kling-v3-omni"}[model]
    images, elements = body.get("image_list", []), body.get("element_list", [])
    videos = body.get("video_list", [])
    base = bool(videos) and videos[0]["refer_type"] == "base"
    assert body["mode"] in ("std", "pro")
    if base:
        assert "aspect_ratio" not in body
    else:
        assert body["aspect_ratio"] in ("16:9", "9:16", "1:1")
    assert len(videos) <= 1 and len(images) + len(elements) <= (4 if videos else 7)
    assert all(type(e["element_id"]) is int for e in elements)
    types = [i.get("type") for i in images]
    assert set(types) <= {None, "first_frame", "end_frame"}
    assert types.count("first_frame") <= 1 and types.count("end_frame") <= 1
    if "end_frame" in types:
        assert "first_frame" in types and not body["multi_shot"]
    if videos:
        assert body.get("sound", "off") == "off"
        assert videos[0]["refer_type"] in ("base", "feature")
        assert videos[0]["keep_original_sound"] in ("yes", "no")
    hi = 10 if model == "o1" else 15
    if body["multi_shot"]:
        assert model == "v3" and body["shot_type"] == "customize" and "prompt" not in body
        shots = body["multi_prompt"]
        assert [s["index"] for s in shots] == list(range(1, len(shots) + 1))
        assert 2 <= len(shots) <= 6
        assert all(isinstance(s["duration"], str) and int(s["duration"]) >= 1 for s in shots)
        assert sum(int(s["duration"]) for s in shots) == int(body["duration"])
        texts = [s["prompt"] for s in shots]
        assert all(0 < len(t) <= 512 for t in texts)
    else:
        texts = [body["prompt"]]
        assert 0 < len(body["prompt"]) <= 2500
    if "duration" in body:
        assert isinstance(body["duration"], str) and 3 <= int(body["duration"]) <= hi
    else:
        assert videos and videos[0]["refer_type"] == "base"
    for t in texts:
        for m in TOKEN.finditer(t):
            n = int(m.group(2))
            limit = {"image": len(images), "element": len(elements), "video": len(videos)}
            assert 1 <= n <= limit[m.group(1)], (t, body)
    assert body["external_task_id"] == "job-1"


def assert_apimart(body, model):
    assert body["model"] == {"o1": "kling-video-o1", "v3": "kling-v3-omni"}[model]
    videos = body.get("video_list", [])
    base = bool(videos) and videos[0]["refer_type"] == "base"
    if base:
        assert "aspect_ratio" not in body
    else:
        assert body["aspect_ratio"] in ("16:9", "9:16", "1:1")
    if "duration" in body or not base:
        assert type(body["duration"]) is int
        assert body["duration"] in ((5, 10) if model == "o1" else range(3, 16))
    assert isinstance(body["prompt"], str) and len(body["prompt"].strip()) > 0
    assert len(body["prompt"]) <= 2500 and len(body.get("negative_prompt", "")) <= 2500
    assert not ("image_urls" in body and "image_with_roles" in body)
    roles = [i["role"] for i in body.get("image_with_roles", [])]
    assert set(roles) <= {"first_frame", "last_frame", "reference"}
    if "last_frame" in roles:
        assert "first_frame" in roles
    assert "elements" not in body  # no APIMart page documents a subjects field
    n_images = len(body.get("image_urls", [])) + len(roles)
    assert n_images <= (4 if body.get("video_list") else 7)
    if body.get("multi_shot"):
        shots = body["multi_prompt"]
        assert [s["index"] for s in shots] == list(range(1, len(shots) + 1))
        assert all(type(s["duration"]) is int and s["duration"] >= 1 for s in shots)
        assert sum(s["duration"] for s in shots) == body["duration"]
    for m in TOKEN.finditer(body["prompt"]):
        if m.group(1) == "image":
            assert 1 <= int(m.group(2)) <= n_images
    assert "webhook" not in body  # no APIMart page documents it


def assert_animatic(plan, model):
    assert 3 <= plan["total_seconds"] <= 15
    assert plan["total_seconds"] == sum(s["duration"] for s in plan["shots"])
    assert 1 <= len(plan["shots"]) <= 6


CHECKERS = {
    "useapi": assert_useapi,
    "kling": assert_kling,
    "cometapi": assert_kling,
    "apimart": assert_apimart,
    "animatic": assert_animatic,
}


@FAST
@given(plausible_storyboards())
def test_an_ok_storyboard_always_renders_a_body_that_meets_the_dialects_constraints(sb):
    ctx = CheckContext(vip=True, public_media=True)
    for target in TARGETS:
        if check(sb, target, ctx).ok:
            # the adapters resolve elements to the account's ids (integers on kling/cometapi)
            ids = {s: str(900 + i) for i, s in enumerate(sb.attachments) if "element" in s}
            refs = ids if target.dialect in ("kling", "cometapi") else {}
            body = build_body(sb, target, refs, options=OPTIONS)
            json.dumps(body)
            CHECKERS[target.dialect](body, target.model)


def test_the_plausible_strategy_does_produce_ok_storyboards_for_every_dialect():
    ctx = CheckContext(vip=True, public_media=True)
    for dialect in CHECKERS:
        target = Target(dialect, "v3")
        found = find(
            plausible_storyboards(),
            lambda sb, t=target: check(sb, t, ctx).ok and bool(sb.attachments),
            settings=settings(max_examples=500, deadline=None),
        )
        assert check(found, target, ctx).ok
