"""Media and element limits of docs/rules.md §13–15, in one place.

storyboard.rules covers storyboard checks only; these limits are checked at upload time, so a
library item is always usable by any target.
"""

from __future__ import annotations

MB = 1024 * 1024

# §13 images
IMAGE_FORMATS = ("JPEG", "PNG")
IMAGE_MAX_BYTES = 10 * MB
IMAGE_MIN_SIDE = 300
IMAGE_MAX_ASPECT = 2.5  # long side / short side
IMAGE_MAX_PIXELS = 40_000_000
THUMB_SIZES = (256, 768)

# §14 videos
VIDEO_MAX_BYTES = 200 * MB
VIDEO_MIN_SECONDS = 3.0
REFERENCE_VIDEO_MAX_SECONDS = 10.0
ELEMENT_CLIP_SECONDS = 8.0  # video elements are trimmed to their first 8 s
VIDEO_MIN_SIDE = 720
VIDEO_MAX_SIDE = 2160
VIDEO_MIN_FPS = 24.0
VIDEO_MAX_FPS = 60.0
# A little slack for container rounding (a "3 s" clip often probes as 2.99 s, "60 fps" as 60.01).
SECONDS_SLACK = 0.05
FPS_SLACK = 0.5

# Voice to clone (video elements): a clip of 5–60 s.
VOICE_MIN_SECONDS = 5.0
VOICE_MAX_SECONDS = 60.0
VOICE_MAX_BYTES = 50 * MB
VOICE_ID_MAX = 100
# Only a character element carries a voice: useapi.net's Kling docs, POST /elements ("voice",
# character tag only; seed 000). The library refuses it for every target, so an element is
# usable anywhere.
VOICE_TAGS = ("character",)

# §15 elements
ELEMENT_NAME_MAX = 20
ELEMENT_NAME_MAX_USEAPI = 15  # useapi appends a suffix; the storyboard check warns about it
ELEMENT_DESCRIPTION_MAX = 100
ELEMENT_TAGS = ("character", "animal", "prop", "costume", "scene", "effect", "others")
ELEMENT_MAX_EXTRA_IMAGES = 3

# Display names kept from the uploaded file name.
DISPLAY_NAME_MAX = 80


def voice_tag_problem(tag: str, has_voice: bool) -> str | None:
    """The element form's message when a voice comes with a tag that cannot carry one."""
    if not has_voice or tag in VOICE_TAGS:
        return None
    return (
        "Voice: only a Character element can carry a voice (useapi takes a voice on a "
        "character only); choose the tag Character or remove the voice."
    )


def human_bytes(size: int, limit: int) -> str:
    """`11.2 MB`; the exact byte count when rounding would hide that it is over `limit`."""
    text = f"{size / MB:.1f} MB"
    if size > limit and text == f"{limit / MB:.1f} MB":
        return f"{size:,} bytes ({text})"
    return text


def size_problem(size: int, limit: int) -> str | None:
    if size > limit:
        return f"{human_bytes(size, limit)}: at most {limit // MB} MB"
    return None
