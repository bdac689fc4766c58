"""Frame assembly for the animatic, done directly in YUV 4:2:0.

Converting every frame from RGB would cost more than encoding it. Instead each shot's picture
is converted to Y'CbCr once; a frame is then three plane crops (a pan moves the crop window)
plus the caption band and watermark blended in with an alpha mask -- blending commutes with the
affine RGB->Y'CbCr conversion, so the result equals blending in RGB first. Chroma is half size,
so each picture keeps its chroma planes for the four pixel parities of the window, letting the
pan move by single pixels without the colour lagging the picture by half a pixel.

Pixels go straight into the encoder's frame: Pillow maps an image onto each plane's memory and
crops and masks are pasted there (``Image.im.paste``, the core call behind ``Image.paste``,
which does not copy a mapped image first). Where that does not work (a Pillow that changed
it), :func:`mapped_writes` says so and frames are built through ``tobytes`` instead, slower but
the same pixels.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import av
from av.video.reformatter import VideoReformatter
from PIL import Image

log = logging.getLogger(__name__)

# A reference is scaled to cover the frame plus this margin on each axis; a shot pans across
# the margin (about 100 px at 720p: slow, ~1-2 px a frame).
PAN_MARGIN = 0.08
# A PNG cannot be decoded at a reduced scale: one of 40 MP (the library's limit) takes 160 MB
# while it is scaled down. Such decodes take turns, process-wide, to keep the peak bounded.
FULL_DECODE_PIXELS = 12_000_000
_full_decodes = threading.Lock()


def to_yuv444(img: Image.Image) -> tuple[Image.Image, Image.Image, Image.Image]:
    """Y, Cb, Cr planes (BT.709, limited range, as the stream is tagged) of an RGB image."""
    # A fresh reformatter per call: these run on several threads, and a SwsContext is not
    # thread-safe; once per shot the set-up cost does not matter.
    frame = VideoReformatter().reformat(
        av.VideoFrame.from_image(img.convert("RGB")),
        format="yuv444p",
        dst_colorspace="ITU709",  # type: ignore[arg-type]  # PyAV takes names; its stub says int
        dst_color_range="MPEG",
    )
    planes = tuple(
        Image.frombuffer("L", (p.width, p.height), bytes(p), "raw", "L", p.line_size, 1)
        for p in frame.planes
    )
    return planes  # type: ignore[return-value]


def _half(img: Image.Image, px: int = 0, py: int = 0) -> Image.Image:
    """A chroma plane at half size (2x2 box average), starting at pixel parity (px, py)."""
    w, h = (img.width - px) // 2, (img.height - py) // 2
    return img.crop((px, py, px + 2 * w, py + 2 * h)).reduce(2)


@dataclass
class Overlay:
    """An RGBA picture to blend at an even position on every frame (caption, watermark)."""

    x: int
    y: int
    planes: tuple[Image.Image, Image.Image, Image.Image]  # Y full size, Cb/Cr half size
    masks: tuple[Image.Image, Image.Image]  # alpha at full and at half size

    @classmethod
    def from_rgba(cls, img: Image.Image, pos: tuple[int, int]) -> Overlay:
        x, y = pos[0] & ~1, pos[1] & ~1  # even, so the chroma planes line up
        # Pad to even sides with transparent pixels (a crop past the edge adds them).
        img = img.convert("RGBA").crop(
            (0, 0, img.width + img.width % 2, img.height + img.height % 2)
        )
        luma, cb, cr = to_yuv444(img)
        alpha = img.getchannel("A")
        return cls(x, y, (luma, _half(cb), _half(cr)), (alpha, _half(alpha)))

    def box(self, plane: int) -> tuple[int, int, int, int]:
        s = 1 if plane == 0 else 2
        img = self.planes[plane]
        return self.x // s, self.y // s, self.x // s + img.width, self.y // s + img.height

    def mask(self, plane: int) -> Image.Image:
        return self.masks[0 if plane == 0 else 1]


@dataclass
class Source:
    """A shot's picture in Y'CbCr, ready to crop frames from."""

    luma: Image.Image
    _cb: Image.Image
    _cr: Image.Image
    _chroma: dict[tuple[int, int], tuple[Image.Image, Image.Image]] = field(default_factory=dict)

    @classmethod
    def from_rgb(cls, img: Image.Image) -> Source:
        return cls(*to_yuv444(img))

    @property
    def size(self) -> tuple[int, int]:
        return self.luma.size

    def planes_at(self, x: int, y: int) -> tuple[Image.Image, Image.Image, Image.Image]:
        """The three planes to crop from for a window whose top left is (x, y)."""
        parity = (x & 1, y & 1)
        if parity not in self._chroma:  # made on first use: a still shot needs one parity
            self._chroma[parity] = (_half(self._cb, *parity), _half(self._cr, *parity))
        return (self.luma, *self._chroma[parity])


# EXIF orientation -> the transpose that makes the picture upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_TURNING = {
    Image.Transpose.TRANSPOSE,
    Image.Transpose.ROTATE_270,
    Image.Transpose.TRANSVERSE,
    Image.Transpose.ROTATE_90,
}


def load_picture(path: Path | str, size: tuple[int, int]) -> Image.Image | None:
    """The part of a reference image a shot can show, at frame scale: the picture scaled to
    cover ``size`` plus the pan margin and cropped to that around its centre. None when the
    file cannot be read as an image (the shot then gets a title card).

    JPEGs are decoded at a reduced scale (``draft``) and nothing is copied at that size: a
    12 MP photo never sits in memory at full size. Other formats decode at full size, so big
    ones take turns (see FULL_DECODE_PIXELS). EXIF orientation is applied (as the library does
    on upload) after scaling, where it is cheap.
    """
    view = (round(size[0] * (1 + PAN_MARGIN)), round(size[1] * (1 + PAN_MARGIN)))
    try:
        with Image.open(path) as im:
            if im.format != "JPEG" and im.width * im.height > FULL_DECODE_PIXELS:
                with _full_decodes:
                    return _scaled_view(im, view)
            return _scaled_view(im, view)
    except Exception as exc:  # noqa: BLE001 - decoders raise many types; any failure -> card
        log.warning("animatic: cannot use %s as a picture (%s); using a title card", path, exc)
        return None


def _scaled_view(im: Image.Image, view: tuple[int, int]) -> Image.Image:
    upright = _UPRIGHT.get(im.getexif().get(0x0112, 1))
    # Work in the file's own orientation; turn the small result at the end.
    vw, vh = (view[1], view[0]) if upright in _TURNING else view
    stored_w, stored_h = im.size
    scale = max(vw / stored_w, vh / stored_h)  # covers the view
    im.draft("RGB", (math.ceil(stored_w * scale), math.ceil(stored_h * scale)))
    rgb = im if im.mode == "RGB" else im.convert("RGB")
    # The centred box that becomes the view, in decoded pixels (draft may have reduced the
    # picture by 1/2, 1/4 or 1/8).
    bw = vw / scale * rgb.width / stored_w
    bh = vh / scale * rgb.height / stored_h
    # Clamped: float rounding can put an edge a hair outside, which Pillow refuses.
    left, top = max(0.0, (rgb.width - bw) / 2), max(0.0, (rgb.height - bh) / 2)
    box = (left, top, min(rgb.width, left + bw), min(rgb.height, top + bh))
    picture = rgb.resize((vw, vh), Image.Resampling.BILINEAR, box=box, reducing_gap=2.0)
    return picture.transpose(upright) if upright is not None else picture


def load_source(path: Path | str, size: tuple[int, int]) -> Source | None:
    picture = load_picture(path, size)
    return None if picture is None else Source.from_rgb(picture)


def pan_windows(
    src_size: tuple[int, int], size: tuple[int, int], frames: int, number: int
) -> Iterator[tuple[int, int]]:
    """Top-left corners of the frame window for a slow linear pan over the picture's middle;
    the direction turns from shot to shot."""
    travel_x = min(src_size[0] - size[0], round(size[0] * PAN_MARGIN))
    travel_y = min(src_size[1] - size[1], round(size[1] * PAN_MARGIN))
    left = (src_size[0] - size[0] - travel_x) // 2  # centre the travel on the picture
    top = (src_size[1] - size[1] - travel_y) // 2
    fx, fy = ((0, 0), (1, 1), (1, 0), (0, 1))[(number - 1) % 4]
    x0, y0 = left + fx * travel_x, top + fy * travel_y
    dx, dy = (1 - 2 * fx) * travel_x, (1 - 2 * fy) * travel_y
    for i in range(frames):
        t = i / (frames - 1) if frames > 1 else 0.0
        yield round(x0 + dx * t), round(y0 + dy * t)


@functools.cache
def mapped_writes() -> bool:
    """Whether pasting into a Pillow image mapped on a frame plane writes the frame."""
    try:
        frame = av.VideoFrame(16, 16, "yuv420p")
        plane = frame.planes[0]
        _map(plane).im.paste(Image.new("L", (16, 16), 77).im, (0, 0, 16, 16))
        return bytes(plane)[: plane.line_size * 16 : plane.line_size] == bytes([77]) * 16
    except Exception:  # noqa: BLE001 - any surprise means "use the portable path"
        return False


def _map(plane: av.video.plane.VideoPlane) -> Image.Image:
    # A plane is a buffer (the buffer protocol); Pillow's stub lists bytes-like types only.
    return Image.frombuffer("L", (plane.width, plane.height), plane,  # type: ignore[arg-type]
                            "raw", "L", plane.line_size, 1)


def compose(
    source: Source,
    x: int,
    y: int,
    size: tuple[int, int],
    overlays: Sequence[Overlay],
    *,
    mapped: bool | None = None,
) -> av.VideoFrame:
    """One yuv420p frame: the window at (x, y) of ``source`` with ``overlays`` blended in."""
    frame = av.VideoFrame(size[0], size[1], "yuv420p")
    use_map = mapped_writes() if mapped is None else mapped
    for k, (plane, img) in enumerate(zip(frame.planes, source.planes_at(x, y), strict=True)):
        s = 1 if k == 0 else 2
        cx, cy = x // s, y // s
        if use_map:
            dst = _map(plane)
            dst.im.paste(
                img.crop((cx, cy, cx + plane.width, cy + plane.height)).im,
                (0, 0, plane.width, plane.height),
            )
            for ov in overlays:
                dst.im.paste(ov.planes[k].im, ov.box(k), ov.mask(k).im)
        else:
            # Rows are line_size apart in the frame: crop that wide (the extra is padding).
            part = img.crop((cx, cy, cx + plane.line_size, cy + plane.height))
            for ov in overlays:
                part.paste(ov.planes[k], ov.box(k), ov.mask(k))
            plane.update(part.tobytes())
    return frame


def frames_for(
    source: Source,
    size: tuple[int, int],
    count: int,
    number: int,
    overlays: Iterable[Overlay],
    *,
    still: bool,
) -> Iterator[av.VideoFrame]:
    """``count`` frames of one shot: a still (one frame, sent again and again: x264 copies
    each input picture) or a slow pan."""
    overlays = tuple(overlays)
    if still:
        frame = compose(source, 0, 0, size, overlays)
        for _ in range(count):
            yield frame
        return
    for x, y in pan_windows(source.size, size, count, number):
        yield compose(source, x, y, size, overlays)
