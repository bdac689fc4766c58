"""The local animatic renderer: the file it writes matches the plan (length, cuts, size, codec),
it falls back to title cards instead of failing, and a failed render leaves nothing behind.

Renders are small (a few dozen pixels, a few seconds) wherever the size does not matter."""

from __future__ import annotations

import re
from pathlib import Path

import av
import pytest
from PIL import Image

from storyboard.providers import animatic, animatic_frames
from storyboard.providers.animatic import (
    AnimaticResult,
    animatic_size,
    plan_shots,
    render_animatic,
)
from storyboard.providers.animatic_frames import Overlay, Source, compose
from storyboard.providers.animatic_text import ELLIPSIS, load_font, title_card, wrap_text
from storyboard.rules import Attachment, Settings, Shot, Storyboard, Target

SMALL = (128, 72)
RED, GREEN, BLUE = (220, 30, 30), (30, 200, 40), (40, 50, 220)
SAMPLE = (64, 6)  # top middle of a SMALL frame: above the caption band, clear of the corner


def board(*shots: tuple[str, object], title="Kitchen", aspect="16:9", slots=()) -> Storyboard:
    return Storyboard(
        Settings(title=title, multi_shot=True, aspect_ratio=aspect),
        Target("animatic", "v3"),
        tuple(Shot(p, d) for p, d in shots),
        {s: Attachment(ref=s) for s in slots},
    )


def single(prompt="A chef cooks", duration=3, aspect="16:9") -> Storyboard:
    return Storyboard(
        Settings(title="One", prompt=prompt, duration=duration, aspect_ratio=aspect),
        Target("animatic", "v3"),
    )


def picture(folder: Path, name: str, colour, size=(320, 240)) -> Path:
    path = folder / name
    Image.new("RGB", size, colour).save(path)
    return path


def decoded(path: Path) -> list[av.VideoFrame]:
    with av.open(str(path)) as container:
        return list(container.decode(video=0))


def near(a, b, tolerance=12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def named(rgb) -> str:
    """The dominant primary of a pixel, by a wide margin: robust to how a decoder converts
    Y'CbCr back to RGB (older PyAV ignores the stream's BT.709 tag)."""
    for name, channel in (("red", 0), ("green", 1), ("blue", 2)):
        others = [v for i, v in enumerate(rgb[:3]) if i != channel]
        if rgb[channel] > 120 and all(rgb[channel] - v > 80 for v in others):
            return name
    return "other"


def test_a_three_shot_storyboard_renders_an_mp4_that_matches_the_plan(tmp_path):
    sb = board(
        ("Opening on the kitchen", 2), ("The chef @image_1", 1), ("Close-up", 3), slots=["image_1"]
    )
    images = {"image_1": picture(tmp_path, "chef.png", RED)}
    out = tmp_path / "preview.mp4"

    result = render_animatic(sb, out, images=images)

    assert result == AnimaticResult(out, result.duration, 1280, 720, 24, 144)
    assert abs(result.duration - 6.0) <= 1 / 24
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) == (1280, 720)
        assert stream.average_rate == 24
        assert stream.frames == 144
        assert abs(float(stream.duration * stream.time_base) - 6.0) <= 1 / 24
    data = out.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "faststart: the index comes first"


def test_the_cuts_fall_on_the_planned_seconds(tmp_path):
    sb = board(
        ("@image_1 enters", 1),
        ("then @image_2", 2),
        ("and @element_1", 1),
        slots=["image_1", "image_2", "element_1"],
    )
    images = {
        "image_1": picture(tmp_path, "red.png", RED),
        "image_2": picture(tmp_path, "green.png", GREEN),
        "element_1": picture(tmp_path, "blue.png", BLUE),  # the element's frontal image
    }
    out = tmp_path / "cuts.mp4"
    render_animatic(sb, out, images=images, size=SMALL)

    frames = decoded(out)
    colours = [named(f.to_image().getpixel(SAMPLE)) for f in frames]
    assert colours == ["red"] * 24 + ["green"] * 48 + ["blue"] * 24
    assert all(frames[n].key_frame for n in (0, 24, 72)), "every cut starts on a keyframe"


def test_a_shot_that_mentions_no_reference_gets_the_title_card(tmp_path):
    sb = board(("@image_1 first", 1), ("A view of the sea", 1), slots=["image_1"])
    out = tmp_path / "card.mp4"
    render_animatic(sb, out, images={"image_1": picture(tmp_path, "r.png", RED)}, size=SMALL)

    frames = decoded(out)
    card = title_card(SMALL, "Kitchen", 2, 2)
    assert named(frames[0].to_image().getpixel(SAMPLE)) == "red"
    assert near(frames[30].to_image().getpixel(SAMPLE), card.getpixel(SAMPLE), 6)


@pytest.mark.parametrize("content", [None, b"", b"this is not an image", b"\x89PNG\r\n\x1a\n"])
def test_a_missing_or_corrupt_picture_falls_back_to_the_title_card(tmp_path, content, caplog):
    path = tmp_path / "ref.png"
    if content is not None:
        path.write_bytes(content)
    sb = board(("Look at @image_1", 1), slots=["image_1"])
    out = tmp_path / "fallback.mp4"

    result = render_animatic(sb, out, images={"image_1": path}, size=SMALL)

    assert result.frames == 24
    card = title_card(SMALL, "Kitchen", 1, 1)
    assert near(decoded(out)[5].to_image().getpixel(SAMPLE), card.getpixel(SAMPLE), 6)
    assert "title card" in caplog.text


@pytest.mark.parametrize(
    ("aspect", "size"),
    [("16:9", (1280, 720)), ("9:16", (720, 1280)), ("1:1", (720, 720)), ("4:3", (1280, 720))],
)
def test_each_aspect_ratio_has_a_720p_class_size(aspect, size):
    assert animatic_size(aspect) == size


@pytest.mark.parametrize("aspect", ["9:16", "1:1"])
def test_portrait_and_square_storyboards_render_at_their_size(tmp_path, aspect):
    result = render_animatic(single(duration=1, aspect=aspect), tmp_path / "a.mp4")
    with av.open(str(result.path)) as container:
        cc = container.streams.video[0].codec_context
        assert (cc.width, cc.height) == animatic_size(aspect) == (result.width, result.height)


def test_a_single_shot_storyboard_renders_one_shot_of_its_duration(tmp_path):
    result = render_animatic(single(duration=3), tmp_path / "one.mp4", size=SMALL)
    assert result.frames == 72
    assert abs(result.duration - 3.0) <= 1 / 24


def test_emoji_unicode_and_very_long_prompts_do_not_crash(tmp_path):
    long_prompt = ("The chef walks slowly through the busy kitchen " * 60)[:2500]
    sb = board(
        ("🍳👩‍🍳 Cuisine déjà vu — 厨房里的厨师 \u202e\x00\ud800 tab\there", 1),
        (long_prompt, 1),
        ("x" * 600, 1),  # one "word" wider than the frame
        title="Tïtle ✨ 標題",
    )
    result = render_animatic(sb, tmp_path / "uni.mp4", size=(256, 144))
    assert result.frames == 72


def test_long_prompts_wrap_to_a_few_lines_ending_with_an_ellipsis():
    font = load_font(20)
    lines = wrap_text("word " * 500, font, 300, 3)
    assert len(lines) == 3
    assert lines[-1].endswith(ELLIPSIS)
    assert all(font.getlength(line) <= 300 for line in lines)
    assert wrap_text("short prompt", font, 300, 3) == ["short prompt"]
    unbroken = wrap_text("厨" * 200, font, 100, 2)
    assert len(unbroken) == 2 and unbroken[-1].endswith(ELLIPSIS)


def test_the_watermark_changes_the_pixels_in_its_corner_only(tmp_path):
    size = (256, 144)
    sb = board(("@image_1", 1), slots=["image_1"])
    images = {"image_1": picture(tmp_path, "g.png", GREEN)}
    clean = render_animatic(sb, tmp_path / "clean.mp4", images=images, size=size)
    marked = render_animatic(
        sb, tmp_path / "marked.mp4", images=images, size=size, watermark="SANDBOX"
    )

    a, b = decoded(clean.path)[10].to_image(), decoded(marked.path)[10].to_image()
    corner = (size[0] - 60, 0, size[0], 20)
    top_left = (0, 0, 60, 20)

    def diff(box):
        pa, pb = a.crop(box).tobytes(), b.crop(box).tobytes()
        return sum(abs(x - y) for x, y in zip(pa, pb, strict=True)) / len(pa)

    assert diff(corner) > 10
    assert diff(top_left) < 1


def test_a_failed_render_leaves_no_file_behind(tmp_path, monkeypatch):
    out = tmp_path / "preview.mp4"
    out.write_bytes(b"the previous preview")

    def broken(*args, **kwargs):
        yield from ()
        raise OSError("disk on fire")

    monkeypatch.setattr(animatic, "frames_for", broken)
    with pytest.raises(OSError, match="disk on fire"):
        render_animatic(board(("A shot", 1), ("Another", 1)), out, size=SMALL)

    assert out.read_bytes() == b"the previous preview"  # untouched, never half-written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["preview.mp4"]  # no temp file left


def test_a_failed_first_render_leaves_nothing_at_the_path(tmp_path, monkeypatch):
    out = tmp_path / "preview.mp4"

    def half_then_fail(source, size, count, number, overlays, *, still):
        frames = animatic_frames.frames_for(source, size, count, number, overlays, still=still)
        yield from list(frames)[: count // 2]
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(animatic, "frames_for", half_then_fail)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        render_animatic(board(("A shot", 2), ("Another", 1)), out, size=SMALL)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("shots", "field"),
    [
        ([("A", "abc"), ("B", 2)], "shots[0].duration"),
        ([("A", 2), ("B", None)], "shots[1].duration"),
        ([("A", 2), ("B", 2.5)], "shots[1].duration"),
        ([("A", 0), ("B", 2)], "shots[0].duration"),
        ([], "shots"),
        ([("A", 100), ("B", 100)], "shots"),
    ],
)
def test_an_invalid_storyboard_is_a_clear_value_error(tmp_path, shots, field):
    out = tmp_path / "x.mp4"
    with pytest.raises(ValueError, match=rf"^{re.escape(field)}:"):
        render_animatic(board(*shots), out)
    assert list(tmp_path.iterdir()) == []


def test_a_single_shot_with_a_bad_duration_names_the_duration_field(tmp_path):
    with pytest.raises(ValueError, match=r"^duration: 'five'"):
        render_animatic(single(duration="five"), tmp_path / "x.mp4")


@pytest.mark.parametrize("size", [(15, 16), (127, 72), (0, 0), ("a", "b"), (10000, 720)])
def test_an_unusable_size_is_a_value_error(tmp_path, size):
    with pytest.raises(ValueError, match="^size:"):
        render_animatic(single(duration=1), tmp_path / "x.mp4", size=size)


def test_the_plan_follows_the_rules_first_visual():
    sb = board(("Intro", 2), ("@image_2 then @image_1", 3), slots=["image_1", "image_2"])
    assert [(s.number, s.start, s.duration, s.visual) for s in plan_shots(sb)] == [
        (1, 0, 2, None),
        (2, 2, 3, "image_2"),
    ]


def test_the_portable_frame_path_draws_the_same_pixels_as_the_mapped_one():
    size = (72, 40)  # odd half-widths and padded rows: the awkward case for the copy path
    src = Image.linear_gradient("L").resize((90, 60)).convert("RGB")
    source = Source.from_rgb(
        Image.merge(
            "RGB",
            (
                src.getchannel(0),
                src.rotate(90).getchannel(0),
                src.transpose(Image.Transpose.FLIP_LEFT_RIGHT).getchannel(0),
            ),
        )
    )
    band = Image.new("RGBA", (72, 15), (0, 0, 0, 150))
    overlays = [Overlay.from_rgba(band, (0, 25))]

    def pixels(frame):
        return [
            bytes(p)[row * p.line_size : row * p.line_size + p.width]
            for p in frame.planes
            for row in range(p.height)
        ]

    mapped = compose(source, 3, 5, size, overlays, mapped=True)
    portable = compose(source, 3, 5, size, overlays, mapped=False)
    assert pixels(mapped) == pixels(portable)


def test_a_reference_is_decoded_at_frame_scale_and_cropped_to_what_a_pan_can_show(tmp_path):
    path = tmp_path / "big.jpg"
    Image.new("RGB", (2400, 1800), RED).save(path, quality=80)
    pic = animatic_frames.load_picture(path, (256, 144))
    assert pic is not None
    assert pic.size == (276, 156)  # the frame plus the 8 % pan margin
    assert near(pic.getpixel((138, 78)), RED)


def test_exif_orientation_is_applied(tmp_path):
    stored = Image.new("RGB", (400, 300), RED)
    stored.paste(GREEN, (200, 0, 400, 300))  # left half red, right half green, as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90 degrees clockwise to display": the left half goes on top
    path = tmp_path / "sideways.jpg"
    stored.save(path, exif=exif, quality=95)

    pic = animatic_frames.load_picture(path, (100, 100))

    assert pic is not None and pic.size == (108, 108)
    assert named(pic.getpixel((54, 10))) == "red"
    assert named(pic.getpixel((54, 98))) == "green"


def test_the_benchmark_storyboard_is_the_budgets_six_shots_fifteen_seconds_seven_references():
    from storyboard.providers.animatic_bench import bench_storyboard
    from storyboard.rules import check

    sb = bench_storyboard()
    report = check(sb)
    assert report.ok and report.total_seconds == 15
    assert len(sb.shots) == 6 and len(sb.attachments) == 7
    assert all(shot.visual for shot in plan_shots(sb)), "every shot shows a reference"


def test_the_first_available_h264_encoder_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(animatic, "ENCODERS", ("no-such-encoder", "libx264"))
    result = render_animatic(single(duration=1), tmp_path / "a.mp4", size=SMALL)
    assert result.frames == 24


def test_no_h264_encoder_is_a_clear_error_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(animatic, "ENCODERS", ("no-such-encoder",))
    with pytest.raises(animatic.AnimaticError, match="no H.264 encoder"):
        render_animatic(single(duration=1), tmp_path / "a.mp4", size=SMALL)
    assert list(tmp_path.iterdir()) == []


def test_several_renders_at_once_each_produce_their_own_file(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    images = {"image_1": picture(tmp_path, "r.png", RED)}
    sb = board(("@image_1 runs", 1), ("A title", 1), slots=["image_1"])
    with ThreadPoolExecutor(3) as pool:
        jobs = [
            pool.submit(
                render_animatic,
                sb,
                tmp_path / f"{n}.mp4",
                images=images,
                size=SMALL,
                watermark=f"take {n}",
            )
            for n in range(3)
        ]
        results = [job.result() for job in jobs]
    assert [r.frames for r in results] == [48, 48, 48]
    assert all(named(decoded(r.path)[3].to_image().getpixel(SAMPLE)) == "red" for r in results)
