"""Small synthetic takes for the export tests, written with PyAV (no files are committed)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
from PIL import Image


def make_take(path: Path, *, frames: int, fps=24, size=(320, 180), colours=None,
              audio: bool = False) -> Path:
    """An H.264 take of ``frames`` frames; the picture changes colour every 12 frames so a
    decoder really decodes. ``audio`` adds a silent AAC track, as vendor takes may have."""
    rate = Fraction(fps)
    colours = colours or [(200, 40, 40), (40, 200, 40), (40, 40, 200), (220, 220, 30)]
    pictures = [av.VideoFrame.from_image(Image.new("RGB", size, c)).reformat(format="yuv420p")
                for c in colours]
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.options = {"preset": "ultrafast", "threads": "1"}
        sound = out.add_stream("aac", rate=48000) if audio else None
        for n in range(frames):
            frame = pictures[(n // 12) % len(pictures)]
            frame.pts = n
            frame.time_base = 1 / rate
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
        if sound is not None:
            out.mux(sound.encode(None))
    return path
