"""Small media made on the fly for the library tests: images with Pillow, videos with PyAV,
voice clips with the standard library's wave module. Nothing is downloaded."""

from __future__ import annotations

import functools
import hashlib
import io
import struct
import tempfile
import wave
import zlib
from pathlib import Path

import av
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(width=640, height=480, fmt="JPEG", mode="RGB", color=(200, 120, 40),
                exif_orientation=None, **save) -> bytes:
    img = Image.new(mode, (width, height), color if mode != "I;16" else 40000)
    if mode == "RGB":  # a marker in the top-left corner, to check orientation
        img.paste((10, 200, 10), (0, 0, width // 4, height // 4))
    out = io.BytesIO()
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        save["exif"] = exif.tobytes()
    img.save(out, fmt, **save)
    return out.getvalue()


def jpeg(width=640, height=480, **kw) -> bytes:
    return image_bytes(width, height, "JPEG", **kw)


def png(width=640, height=480, **kw) -> bytes:
    return image_bytes(width, height, "PNG", **kw)


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR claiming width × height, with a tiny IDAT: a
    decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@functools.cache
def video_bytes(width=720, height=720, fps=24, seconds=3.0, codec="mpeg4",
                container="mp4", audio=False) -> bytes:
    """A tiny clip of solid colour changing once a second; cached per process."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"clip.{container}"
        with av.open(str(path), "w", format=container) as out:
            stream = out.add_stream(codec, rate=fps)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            if codec == "libx264":
                stream.options = {"preset": "ultrafast"}
            frames = {}
            for i in range(round(fps * seconds)):
                second = i // fps
                if second not in frames:
                    frames[second] = av.VideoFrame.from_image(
                        Image.new("RGB", (width, height), (40 * second % 255, 90, 160)))
                frame = frames[second]
                frame.pts = None
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)
        return path.read_bytes()


def video_upload(name="clip.mp4", **kw) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, video_bytes(**kw), content_type="video/mp4")


def wav_bytes(seconds: float, rate=8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(seconds * rate))
    return out.getvalue()


def probe(data: bytes) -> tuple[float, int, int, float]:
    with tempfile.NamedTemporaryFile(suffix=".mp4") as fh:
        fh.write(data)
        fh.flush()
        with av.open(fh.name) as c:
            s = c.streams.video[0]
            return (float(s.duration * s.time_base), s.codec_context.width,
                    s.codec_context.height, float(s.average_rate))


def make_image(team, user=None, **kw):
    """A stored ReferenceImage of `team` (through the real upload action)."""
    from storyboard.library.actions import store_image_upload

    # A colour derived from the arguments: different arguments, different pixels (no dedupe).
    kw.setdefault("color", tuple(hashlib.sha256(repr(sorted(kw.items())).encode()).digest()[:3]))
    name = kw.pop("name", "picture.png")
    return store_image_upload(team, user, upload(png(**kw), name, "image/png")).item


def make_video(team, user=None, **kw):
    from storyboard.library.actions import store_video_upload

    return store_video_upload(team, user, video_upload(**kw)).item


def make_image_element(team, user=None, name="Mara", extras=0, tag="character"):
    from storyboard.library.actions import ElementInput, create_element

    frontal = make_image(team, user, color=(1, 2, 3), name=f"{name} front.png")
    extra_images = [make_image(team, user, color=(10 + i, 20, 30), name=f"{name} side {i}.png")
                    for i in range(extras)]
    return create_element(team, user, "image", ElementInput(
        name=name, tag=tag, description=f"{name}, as drawn", frontal=frontal,
        extras=extra_images))


def make_video_element(team, user=None, name="Runner", **video):
    from storyboard.library.actions import ElementInput, create_element

    return create_element(team, user, "video", ElementInput(
        name=name, tag="character", clip=video_upload(**video)))


def share(from_team, to_team, user=None):
    from storyboard.library.models import LibraryShare

    return LibraryShare.objects.create(from_team=from_team, to_team=to_team, created_by=user)


def join(user, team, role="viewer"):
    from storyboard.teams.models import Membership

    Membership.objects.get_or_create(user=user, team=team, defaults={"role": role})
    return team
