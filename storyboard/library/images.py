"""Checking and re-encoding uploaded images (docs/rules.md §13). No database, no storage: the
actions
store what `prepare_image` returns, so a refused file leaves nothing behind.

Order matters for safety and speed: byte size first (before reading), then the header (format and
pixel count, before any pixel is decoded, so a 50,000 × 50,000 "bomb" costs nothing), then the
full decode, EXIF orientation, re-encoding (which drops metadata and anything after the image
data) and the thumbnails.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError

from storyboard.library import limits

# Pillow's own bomb guard: a warning above this, an error above twice this, raised by
# Image.open from the header alone. The project's cap is the same 40 MP (checked again below).
Image.MAX_IMAGE_PIXELS = limits.IMAGE_MAX_PIXELS


class MediaRefused(Exception):
    """An upload refused for a reason the user should read (names the limit and the value)."""


@dataclass
class PreparedImage:
    display_name: str
    format: str  # "JPEG" or "PNG": the stored file's format, decided by decoding
    width: int  # after EXIF orientation
    height: int
    data: bytes  # the re-encoded image
    sha256: str  # of the uploaded bytes: identical uploads are found before decoding
    uploaded_bytes: int
    thumb_format: str = "JPEG"
    thumbs: dict[int, bytes] = field(default_factory=dict)

    @property
    def extension(self) -> str:
        return "jpg" if self.format == "JPEG" else "png"

    @property
    def thumb_extension(self) -> str:
        return "jpg" if self.thumb_format == "JPEG" else "png"


_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def display_name(filename: str | None, default: str = "image") -> str:
    """The user's file name made harmless for display: no folders, no control characters or
    NULs, no `..`, no extension, at most DISPLAY_NAME_MAX characters. Never used as a path."""
    name = (filename or "").replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("", name).replace("..", "")
    stem, dot, ext = name.rpartition(".")
    if dot and stem and len(ext) <= 5:
        name = stem
    name = " ".join(name.split()).strip(" .-")
    return name[: limits.DISPLAY_NAME_MAX].rstrip() or default


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _article(word: str) -> str:
    return "an" if word[:1].upper() in "AEIOU" else "a"


def _not_an_image(data: bytes) -> str:
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        kind = "an SVG drawing"
    elif head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]:
        kind = "an HTML page"
    elif head.startswith(b"%pdf"):
        kind = "a PDF"
    else:
        kind = "not an image that can be decoded"
    return f"the file is {kind}: JPEG or PNG only"


def stored_format(img: Image.Image) -> str:
    """The format the upload is checked and stored as. A phone's MPO (multi-picture JPEG: the
    photo first, then depth maps or previews) is a JPEG of its first picture — Pillow opens it
    at that picture and saving it as JPEG writes that one alone."""
    fmt = img.format or "unknown"
    return "JPEG" if fmt == "MPO" else fmt


def open_checked(data: bytes) -> Image.Image:
    """Open `data` and check everything the header tells: format, sides, aspect, pixel count.
    Nothing is decoded yet."""
    if not data:
        raise MediaRefused("the file is empty (0 bytes): JPEG or PNG only")
    problem = limits.size_problem(len(data), limits.IMAGE_MAX_BYTES)
    if problem:
        raise MediaRefused(problem)
    try:
        with warnings.catch_warnings():
            # Between 40 and 80 MP Pillow only warns; the check below refuses those too.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        found = re.search(r"\((\d+) pixels\)", str(error))
        pixels = f"{int(found.group(1)) / 1e6:,.0f} megapixels" if found else "too many pixels"
        raise MediaRefused(
            f"the image header says {pixels}: at most {limits.IMAGE_MAX_PIXELS // 1_000_000} "
            "megapixels"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise MediaRefused(_not_an_image(data)) from None
    fmt = stored_format(img)
    if fmt not in limits.IMAGE_FORMATS:
        img.close()
        raise MediaRefused(f"the file is {_article(fmt)} {fmt}: JPEG or PNG only")
    width, height = img.size
    problems = []
    if width * height > limits.IMAGE_MAX_PIXELS:
        problems.append(
            f"{fmt} is {width} × {height} px ({width * height / 1e6:.1f} megapixels): at most "
            f"{limits.IMAGE_MAX_PIXELS // 1_000_000} megapixels"
        )
    short, long = sorted((width, height))
    if short < limits.IMAGE_MIN_SIDE:
        problems.append(
            f"{fmt} is {width} × {height} px: the shorter side must be at least "
            f"{limits.IMAGE_MIN_SIDE} px"
        )
    elif long / short > limits.IMAGE_MAX_ASPECT:
        problems.append(
            f"{fmt} is {width} × {height} px (1:{long / short:.2f}): the aspect ratio must be "
            f"between 1:{limits.IMAGE_MAX_ASPECT} and {limits.IMAGE_MAX_ASPECT}:1"
        )
    if problems:
        img.close()
        raise MediaRefused("; ".join(problems))
    return img


_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N", "I")


def _normalised(img: Image.Image, fmt: str) -> Image.Image:
    """A mode the target format stores as 8 bits per channel: 16-bit grey is scaled (not
    clipped) to 8 bits, CMYK and anything unusual become RGB (or RGBA when transparent)."""
    if img.mode in _SIXTEEN_BIT:
        scale = 1 / 256 if img.mode != "I" or img.getextrema()[1] > 255 else 1
        img = img.convert("I").point(lambda v: v * scale).convert("L")
    if fmt == "JPEG":
        return img if img.mode in ("L", "RGB") else img.convert("RGB")
    if img.mode in ("1", "L", "LA", "RGB", "RGBA"):
        return img
    if img.mode == "P":
        return img.convert("RGBA" if "transparency" in img.info else "RGB")
    return img.convert("RGBA" if "A" in img.getbands() else "RGB")


def _thumbnail(img: Image.Image, box: int) -> Image.Image:
    width, height = img.size
    scale = min(1.0, box / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if size == img.size:
        return img.copy()  # never the original: it is being encoded in another thread
    # reducing_gap=1.0: a fast box reduction first, then Lanczos on a small image.
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=1.0)


_ENCODER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="image-encode")


def _encode(img: Image.Image, fmt: str, save_args: dict) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **save_args)
    return out.getvalue()


def _thumbnails(img: Image.Image) -> tuple[str, dict[int, bytes]]:
    """256 and 768 px thumbnails: JPEG, or PNG when the image has transparency."""
    thumb_format = "PNG" if img.mode in ("LA", "RGBA") else "JPEG"
    thumbs = {}
    source = img if img.mode in ("L", "RGB", "RGBA", "LA") else img.convert("RGB")
    for box in sorted(limits.THUMB_SIZES, reverse=True):
        source = _thumbnail(source, box)  # the 256 is made from the 768, not the original
        buf = io.BytesIO()
        if thumb_format == "JPEG":
            source.save(buf, "JPEG", quality=85)
        else:
            source.save(buf, "PNG", compress_level=3)
        thumbs[box] = buf.getvalue()
    return thumb_format, thumbs


def prepare_image(data: bytes, filename: str | None = None,
                  sha256: str | None = None) -> PreparedImage:
    """Check, decode, orient, re-encode and thumbnail an uploaded image, or raise MediaRefused.
    `sha256` of `data`, when the caller already has it."""
    img = open_checked(data)
    fmt = stored_format(img)
    icc = img.info.get("icc_profile")
    try:
        img.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise MediaRefused(
            f"the {fmt} is truncated or damaged: it could not be decoded"
        ) from None
    mode_before = img.mode
    ImageOps.exif_transpose(img, in_place=True)
    img = _normalised(img, fmt)
    save_args: dict = {"quality": 90} if fmt == "JPEG" else {"compress_level": 6}
    if icc and img.mode == mode_before:
        save_args["icc_profile"] = icc  # colour, not personal metadata: kept
    # Pillow writes some of `info` back (a JPEG comment, EXIF): keep only what is needed to
    # draw the picture, so no EXIF, XMP, comments or text chunks survive the re-encoding.
    img.info = {k: v for k, v in img.info.items() if k == "transparency"}
    # The full-size encode and the thumbnails both release the GIL: run them side by side.
    full = _ENCODER.submit(_encode, img, fmt, save_args)
    try:
        thumb_format, thumbs = _thumbnails(img)
    finally:
        data_out = full.result()
    return PreparedImage(
        display_name=display_name(filename),
        format=fmt,
        width=img.width,
        height=img.height,
        data=data_out,
        sha256=sha256 or sha256_of(data),
        uploaded_bytes=len(data),
        thumb_format=thumb_format,
        thumbs=thumbs,
    )
