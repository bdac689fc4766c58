"""Checks of the job options (docs/rules.md §5): mode, aspect ratio, count, audio, negative prompt,
and the VIP-only options of useapi."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .analysis import Facts
from .capabilities import CAPABILITIES, Capability
from .model import parse_whole_seconds
from .report import ERROR, NOTE, WARNING, Problem

if TYPE_CHECKING:
    from .checks import CheckContext


def say_raw(raw: object) -> str:
    """A raw value quoted for a message, cut short when long."""
    text = repr(raw) if not isinstance(raw, str) else f'"{raw}"'
    return text if len(text) <= 24 else text[:20] + "…" + text[-1]


def vip_problem(ctx: CheckContext, fld: str, what: str, out: list[Problem]) -> None:
    if ctx.vip is True:
        return
    if ctx.vip is False:
        out.append(
            Problem(
                ERROR,
                "vip_required",
                fld,
                f"{what} needs a VIP Kling plan, and this useapi account is not VIP.",
            )
        )
    else:
        out.append(
            Problem(
                WARNING,
                "vip_required",
                fld,
                f"{what} needs a VIP Kling plan; make sure the useapi account has one.",
            )
        )


def _negative_prompt_targets() -> str:
    """Read from the table each time, so a table change shows up in the message too."""
    takes = [
        c.target.label()
        for c in CAPABILITIES.values()
        if c.negative_prompt_chars is not None and c.dialect != "animatic"
    ]
    return ", ".join(takes)


def check_options(
    f: Facts, cap: Capability, label: str, ctx: CheckContext, out: list[Problem]
) -> None:
    st = f.storyboard.settings
    if st.mode not in cap.modes:
        extra = (
            " (4k is unverified on this endpoint and off in the capability table)"
            if st.mode == "4k" and cap.dialect in ("kling", "cometapi")
            else ""
        )
        out.append(
            Problem(
                ERROR,
                "mode_unsupported",
                "mode",
                f"Mode {st.mode!s} is not offered by {label}, which takes "
                f"{', '.join(cap.modes)}{extra}.",
            )
        )
    elif st.mode in cap.vip_modes:
        vip_problem(ctx, "mode", f"Mode {st.mode}", out)
    if not f.base_video and st.aspect_ratio not in cap.aspect_ratios:
        out.append(
            Problem(
                ERROR,
                "aspect_ratio_unsupported",
                "aspect_ratio",
                f"Aspect ratio {st.aspect_ratio!s} is not offered by {label}, which "
                f"takes {', '.join(cap.aspect_ratios)}.",
            )
        )
    elif cap.dialect == "useapi" and f.video and st.aspect_ratio != "auto":
        out.append(
            Problem(
                NOTE,
                "aspect_ratio_forced",
                "aspect_ratio",
                "useapi sends aspect ratio auto with a reference video.",
            )
        )
    count = parse_whole_seconds(st.count)
    lo, hi = cap.count
    if count is None or not lo <= count <= hi:
        takes = f"{lo}–{hi} outputs per job" if lo != hi else f"{lo} output per job"
        out.append(
            Problem(
                ERROR,
                "count_invalid",
                "count",
                f"{label} makes {takes}; count is {say_raw(st.count)}.",
            )
        )
    elif cap.vip_min_count and count >= cap.vip_min_count:
        vip_problem(ctx, "count", f"{count} outputs per job", out)
    if st.audio:
        if cap.audio == "no":
            out.append(
                Problem(
                    ERROR,
                    "audio_unsupported",
                    "audio",
                    f"{label} has no native audio; turn audio off.",
                )
            )
        elif cap.audio == "unverified":
            out.append(
                Problem(
                    WARNING,
                    "audio_unsupported",
                    "audio",
                    f"{label} does not send an audio setting (unverified); the clip "
                    f"may come without sound.",
                )
            )
        elif cap.audio == "preview":
            out.append(
                Problem(
                    WARNING,
                    "audio_unsupported",
                    "audio",
                    "The animatic preview is silent; audio applies to paid targets.",
                )
            )
    neg = st.negative_prompt
    if neg and cap.dialect != "animatic":
        if cap.negative_prompt_chars is None:
            out.append(
                Problem(
                    ERROR,
                    "negative_prompt_unsupported",
                    "negative_prompt",
                    f"{label} has no negative prompt; clear it or pick a target that takes "
                    f"one ({_negative_prompt_targets()}).",
                )
            )
        elif len(neg) > cap.negative_prompt_chars:
            out.append(
                Problem(
                    ERROR,
                    "negative_prompt_too_long",
                    "negative_prompt",
                    f"The negative prompt is {len(neg)} characters; {label} takes at "
                    f"most {cap.negative_prompt_chars}.",
                )
            )
