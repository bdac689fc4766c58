"""A Cut as an editorial timeline, through OpenTimelineIO: .otio, Final Cut Pro X (.fcpxml) and
CMX 3600 EDL (.edl), each written by OTIO's own adapter so editing tools read what OTIO writes.

One video track; one clip per storyboard, named by its title, referencing the take's file, its
available and source range the file's real length in frames at its own rate; one marker per
planned shot ("Shot N", the prompt as the marker's comment) at the scaled boundary.

What each format keeps (the adapters' limits, not choices made here): .otio keeps everything;
FCPXML keeps names, files, lengths and marker names; a CMX 3600 EDL has one frame rate (the
cut's), reel names instead of files (the file is in a "* FROM CLIP" comment) and upper-case
locator names without comments.
"""

from __future__ import annotations

from collections.abc import Callable

import opentimelineio as otio

from .cut import Cut, CutItem

# Our format name -> (OTIO adapter, file suffix, media type).
FORMATS = {
    "otio": ("otio_json", ".otio", "application/json"),
    "fcpxml": ("fcpx_xml", ".fcpxml", "application/xml"),
    "edl": ("cmx_3600", ".edl", "text/plain"),
}


def file_url(item: CutItem) -> str:
    return item.path.resolve().as_uri()


def build_timeline(cut: Cut, url_for: Callable[[CutItem], str] = file_url) -> otio.schema.Timeline:
    """The timeline of ``cut``; ``url_for`` names each clip's file (absolute file URLs by
    default, names relative to the timeline inside the ZIP)."""
    track = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    for item in cut.items:
        rate = float(item.fps)
        length = otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, rate),
            otio.opentime.RationalTime(item.duration_frames, rate),
        )
        clip = otio.schema.Clip(
            name=item.name,
            media_reference=otio.schema.ExternalReference(
                target_url=url_for(item), available_range=length
            ),
            source_range=length,
            metadata={"storyboard": {"placeholder": item.is_placeholder}},
        )
        for marker in item.markers():
            clip.markers.append(
                otio.schema.Marker(
                    name=marker.name,
                    marked_range=otio.opentime.TimeRange(
                        otio.opentime.RationalTime(marker.frame, rate),
                        otio.opentime.RationalTime(0, rate),
                    ),
                    color=otio.schema.MarkerColor.RED,
                    comment=marker.prompt,
                )
            )
        track.append(clip)
    timeline = otio.schema.Timeline(name=cut.title)
    timeline.tracks.append(track)
    return timeline


def write_timeline(timeline: otio.schema.Timeline, fmt: str, *, fps=None) -> str:
    """The timeline as text in ``fmt`` (a key of FORMATS). ``fps`` is the EDL's one rate."""
    if fmt not in FORMATS:
        raise ValueError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    adapter = FORMATS[fmt][0]
    if fmt == "edl":
        # Reel names are 8 characters; the full file name goes in the comment below each event.
        return otio.adapters.write_to_string(
            timeline, adapter_name=adapter, rate=float(fps) if fps else None
        )
    return otio.adapters.write_to_string(timeline, adapter_name=adapter)


def read_timeline(text: str, fmt: str, *, fps=None) -> otio.schema.Timeline:
    """``text`` read back by OTIO's own reader for ``fmt`` (the round-trip tests' half)."""
    adapter = FORMATS[fmt][0]
    if fmt == "edl":
        return otio.adapters.read_from_string(text, adapter_name=adapter, rate=float(fps or 24))
    return otio.adapters.read_from_string(text, adapter_name=adapter)


def timeline_text(cut: Cut, fmt: str, url_for: Callable[[CutItem], str] = file_url) -> str:
    return write_timeline(build_timeline(cut, url_for), fmt, fps=cut.fps)
