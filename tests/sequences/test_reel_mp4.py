"""The MP4 of the cut, checked with PyAV: its length is the takes' real lengths summed (within
one frame per cut), at the size and rate asked, re-encoded or stream-copied."""

from fractions import Fraction

import av
import pytest
from sequences.export_fixtures import make_take

from storyboard.sequences.cut import Cut, CutItem
from storyboard.sequences.reel_mp4 import ReelError, probe_take, render_reel


def items_for(*paths):
    out = []
    for p in paths:
        info = probe_take(p)
        out.append(CutItem(p.stem, p, info.frames, info.fps))
    return out


def read_back(path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return (stream.codec_context.width, stream.codec_context.height, stream.average_rate,
                frames, float(stream.duration * stream.time_base), len(container.streams.audio))


def test_mixed_takes_are_normalised_to_one_size_and_rate(tmp_path):
    a = make_take(tmp_path / "a.mp4", frames=50)
    b = make_take(tmp_path / "b.mp4", frames=31, fps=30, size=(240, 240), audio=True)
    c = make_take(tmp_path / "c.mp4", frames=20, size=(640, 360))
    cut = Cut("t", Fraction(24), 320, 180, items_for(a, b, c))
    seen = []
    result = render_reel(cut, tmp_path / "out.mp4", progress=lambda d, t: seen.append((d, t)))
    width, height, rate, frames, seconds, audio = read_back(result.path)
    assert (width, height, rate) == (320, 180, 24)
    assert audio == 0  # dropped, as documented
    takes = float(cut.seconds)  # 50/24 + 31/30 + 20/24
    assert abs(seconds - takes) <= 3 / 24  # within one frame per cut
    assert frames == round(takes * 24) == result.frames
    assert not result.copied
    assert seen[-1] == (frames, frames)


def test_matching_takes_are_stream_copied_to_the_exact_frame(tmp_path):
    a = make_take(tmp_path / "a.mp4", frames=50)
    b = make_take(tmp_path / "b.mp4", frames=23)
    cut = Cut("t", Fraction(24), 320, 180, items_for(a, b))
    result = render_reel(cut, tmp_path / "out.mp4")
    assert result.copied
    assert read_back(result.path)[:4] == (320, 180, 24, 73)
    # The same cut re-encoded has the same length.
    again = render_reel(cut, tmp_path / "encoded.mp4", allow_copy=False)
    assert not again.copied and read_back(again.path)[3] == 73


def test_a_portrait_take_is_pillarboxed_not_stretched(tmp_path):
    from PIL import Image

    tall = make_take(tmp_path / "tall.mp4", frames=4, size=(180, 320), colours=[(255, 255, 255)])
    result = render_reel(Cut("t", Fraction(24), 320, 180, items_for(tall)), tmp_path / "o.mp4")
    with av.open(str(result.path)) as container:
        picture: Image.Image = next(container.decode(video=0)).to_image()
    assert picture.getpixel((5, 90))[0] < 40  # black bar at the side
    assert picture.getpixel((160, 90))[0] > 200  # the white picture in the middle


def test_an_unreadable_take_names_the_file(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video")
    cut = Cut("t", Fraction(24), 320, 180, [CutItem("x", bad, 10, Fraction(24))])
    with pytest.raises(ReelError, match="broken.mp4"):
        render_reel(cut, tmp_path / "out.mp4")
    assert not list(tmp_path.glob("*.part"))
