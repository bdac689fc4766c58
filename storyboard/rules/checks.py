"""The checks of docs/rules.md §1-12 and the cross-target strip of §16.

Entry points: :func:`check` (one target -> :class:`Report`) and :func:`cross_target_strip`
(every other target -> ok or the first error). Codes are listed in ``report.CODES``.

Prompt lengths are counted *as sent*: after the tokens are rendered the target dialect's way
(``@image_1`` becomes ``<<<image_1>>>`` on kling), because that is what the vendor counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .analysis import Facts, analyse, sent_length
from .bodies import APIMART_SHOT_JOINER
from .capabilities import TARGETS, Capability, capability_for
from .model import Storyboard, Target
from .options import check_options, say_raw, vip_problem
from .references import check_references
from .report import ERROR, NOTE, WARNING, Problem, Report, seconds_text

__all__ = [
    "CheckContext",
    "TargetVerdict",
    "check",
    "check_and_strip",
    "check_facts",
    "cross_target_strip",
]


@dataclass(frozen=True)
class CheckContext:
    """What the rules cannot know from the storyboard alone.

    ``vip``: the useapi account has the VIP flag; None = unknown (the command line), which turns
    VIP-only problems into warnings. ``public_media``: the vendor can fetch this install's media by
    URL (a public base URL is set, or a sandbox account) — needed by APIMart for every reference
    and by kling/cometapi for videos; None = unknown, likewise a warning. ``element_ids``:
    dialect -> element slots that have an id on that dialect's account; for cometapi, elements
    missing from the set go as their frontal image. A dialect absent from the mapping is not
    checked for ids.
    """

    vip: bool | None = None
    public_media: bool | None = None
    element_ids: Mapping[str, frozenset[str]] = field(default_factory=dict)


def _multi_shot_targets() -> str:
    """Read from the table each time, so a table change shows up in the message too."""
    takes = [t for t in TARGETS if getattr(capability_for(t), "multi_shot", False)]
    return ", ".join(t.label() for t in takes)


def _shape(f: Facts, cap: Capability, label: str, out: list[Problem]) -> None:
    sb = f.storyboard
    if f.multi_shot:
        if not cap.multi_shot:
            out.append(
                Problem(
                    ERROR,
                    "multi_shot_unsupported",
                    "multi_shot",
                    f"{label} has no multi-shot; targets that take it: {_multi_shot_targets()}.",
                )
            )
        elif cap.shots and not cap.shots[0] <= len(f.shots) <= cap.shots[1]:
            lo, hi = cap.shots
            out.append(
                Problem(
                    ERROR,
                    "shot_count",
                    "shots",
                    f"Multi-shot on {label} takes {lo}–{hi} shots; "
                    f"this storyboard has {len(f.shots)}.",
                )
            )
    elif sb.shots:
        out.append(
            Problem(
                ERROR,
                "single_shot_shape",
                "shots",
                "A single-shot storyboard has one prompt and one duration, but this "
                f"one also has {len(sb.shots)} shots; turn multi-shot on or remove "
                "them.",
            )
        )
    min_shot = cap.min_shot_seconds or 1
    for s in f.shots:
        if not s.prompt.strip():
            what = "The prompt is empty."
            if f.multi_shot:
                what = f"{s.label.capitalize()} has no prompt."
            out.append(Problem(ERROR, "prompt_missing", s.prompt_field, what))
        if s.seconds is None:
            whose = f"{s.label.capitalize()}'s duration" if f.multi_shot else "The duration"
            msg = (
                f"{whose} is missing."
                if s.raw_duration in (None, "")
                else f"{whose} {say_raw(s.raw_duration)} is not a whole number of seconds."
            )
            out.append(Problem(ERROR, "duration_invalid", s.duration_field, msg))
        elif f.multi_shot and s.seconds < min_shot:
            out.append(
                Problem(
                    ERROR,
                    "duration_too_short",
                    s.duration_field,
                    f"{s.label.capitalize()} is {s.seconds} s; each shot needs at "
                    f"least {min_shot} s.",
                )
            )


def _seconds(
    f: Facts, cap: Capability, label: str, ctx: CheckContext, out: list[Problem]
) -> tuple[tuple[int, int], tuple[int, ...] | None]:
    choices = cap.seconds_choices
    why = ""
    if choices is None and cap.seconds_text_or_first_frame and f.text_or_first_frame_only:
        choices = cap.seconds_text_or_first_frame
        why = " for a text-only or first-frame job"
    rng = (min(choices), max(choices)) if choices else cap.total_seconds
    if f.base_video and cap.base_video:  # where it is refused, the duration still counts
        # A multi-shot job still cuts at the shots' seconds, so only single shots skip the total.
        skipped = "aspect ratio" if f.multi_shot else "duration and aspect ratio"
        out.append(
            Problem(
                NOTE,
                "base_video_fixes_duration",
                f.video[0],  # type: ignore[index]
                f"video 1 is a base video: the clip takes its {skipped}, so "
                f"{'that check is' if f.multi_shot else 'those checks are'} skipped and "
                f"{'it is' if f.multi_shot else 'they are'} not sent.",
            )
        )
        if not f.multi_shot:
            return rng, choices
    if f.total is None:
        return rng, choices
    fld = "shots" if f.multi_shot else "duration"
    ok = f.total in choices if choices else rng[0] <= f.total <= rng[1]
    if not ok:
        said = "Shots add up to" if f.multi_shot else "The duration is"
        out.append(
            Problem(
                ERROR,
                "total_seconds",
                fld,
                f"{said} {f.total} s; {label} takes {seconds_text(*rng, choices)}{why}.",
            )
        )
    if cap.vip_min_seconds and f.total >= cap.vip_min_seconds:
        vip_problem(ctx, fld, f"A clip of {cap.vip_min_seconds} s or more ({f.total} s)", out)
    return rng, choices


def _prompts(f: Facts, cap: Capability, label: str, ctx: CheckContext, out: list[Problem]) -> None:
    as_images = _elements_as_images(f, cap, ctx)
    tokens = f.layout(cap.dialect, as_images).tokens
    lengths = f.shot_lengths(cap.dialect, as_images)

    if f.multi_shot:
        if cap.shot_prompt_chars is not None:
            for s, n in zip(f.shots, lengths, strict=True):
                if n > cap.shot_prompt_chars:
                    out.append(
                        Problem(
                            ERROR,
                            "prompt_too_long",
                            s.prompt_field,
                            f"{s.label.capitalize()}'s prompt is {n} characters as "
                            f"sent; {label} takes at most {cap.shot_prompt_chars} "
                            f"per shot.",
                        )
                    )
        if cap.dialect == "apimart":
            # APIMart always needs a main prompt; without one the shot prompts are sent joined.
            main = f.main_prompt
            if main.strip():
                n = sent_length(main, f.main_mentions, f.main_token_lengths, tokens)
                n -= len(main) - len(main.strip())
            else:
                pairs = zip(f.shots, lengths, strict=True)
                n = sum(k - len(s.prompt) + len(s.prompt.strip()) for s, k in pairs)
                n += len(APIMART_SHOT_JOINER) * (len(f.shots) - 1)
            if n > cap.prompt_chars:
                whose = "The prompt" if f.main_prompt.strip() else "The shot prompts joined"
                out.append(
                    Problem(
                        ERROR,
                        "prompt_too_long",
                        "prompt",
                        f"{whose} (APIMart's required main prompt) is {n} characters "
                        f"as sent; {label} takes at most {cap.prompt_chars}.",
                    )
                )
        elif f.main_prompt.strip() and cap.multi_shot:
            out.append(
                Problem(
                    WARNING,
                    "prompt_ignored",
                    "prompt",
                    f"{label} does not send the main prompt in multi-shot; only the "
                    f"shot prompts are used.",
                )
            )
    else:
        n = lengths[0]
        if n > cap.prompt_chars:
            out.append(
                Problem(
                    ERROR,
                    "prompt_too_long",
                    "prompt",
                    f"The prompt is {n} characters as sent; {label} takes at most "
                    f"{cap.prompt_chars}.",
                )
            )


def _elements_as_images(f: Facts, cap: Capability, ctx: CheckContext) -> list[str]:
    have = ctx.element_ids.get(cap.dialect)
    if not cap.element_ids_required or have is None:
        return []
    return [
        s for s, a in f.elements if s not in have and a.frontal_image and not a.is_video_element
    ]


def check_facts(f: Facts, target: Target, ctx: CheckContext | None = None) -> Report:
    """:func:`check` on a storyboard already analysed (reuse ``analyse`` across targets)."""
    ctx = ctx or CheckContext()
    cap = capability_for(target)
    if cap is None:
        return Report(
            target,
            f.total,
            None,
            f.slots_used,
            None,
            [
                Problem(
                    ERROR,
                    "target_unknown",
                    "target",
                    f"{target.label()} is not a known target; dialects: useapi, kling, cometapi, "
                    f"apimart, animatic; models: o1, v3.",
                )
            ],
        )
    label = target.label()
    out: list[Problem] = []
    _shape(f, cap, label, out)
    rng, choices = _seconds(f, cap, label, ctx, out)
    _prompts(f, cap, label, ctx, out)
    check_options(f, cap, label, ctx, out)
    limit = check_references(f, cap, label, ctx, _elements_as_images(f, cap, ctx), out)
    return Report(target, f.total, rng, f.slots_used, limit, out, choices)


def check(
    storyboard: Storyboard, target: Target | None = None, context: CheckContext | None = None
) -> Report:
    """Check ``storyboard`` against ``target`` (default: the storyboard's own target)."""
    return check_facts(analyse(storyboard), target or storyboard.target, context)


@dataclass(frozen=True)
class TargetVerdict:
    target: Target
    ok: bool
    reason: Problem | None  # the first error when not ok

    def to_dict(self) -> dict[str, object]:
        return {
            **self.target.to_dict(),
            "ok": self.ok,
            "code": self.reason.code if self.reason else None,
            "message": self.reason.message if self.reason else None,
        }


def cross_target_strip(
    storyboard: Storyboard, context: CheckContext | None = None, *, exclude: Target | None = None
) -> list[TargetVerdict]:
    """For every known target except ``exclude`` (default: the storyboard's own): ok, or the first
    reason it would refuse the storyboard as it stands (§16)."""
    return _strip(analyse(storyboard), context, exclude or storyboard.target)


def check_and_strip(
    storyboard: Storyboard, target: Target | None = None, context: CheckContext | None = None
) -> tuple[Report, list[TargetVerdict]]:
    """:func:`check` and :func:`cross_target_strip` in one go, sharing one analysis — what the
    editor's live check needs on every edit."""
    target = target or storyboard.target
    f = analyse(storyboard)
    return check_facts(f, target, context), _strip(f, context, target)


def _strip(f: Facts, context: CheckContext | None, skip: Target) -> list[TargetVerdict]:
    verdicts = []
    for t in TARGETS:
        if t == skip:
            continue
        errors = check_facts(f, t, context).errors
        verdicts.append(TargetVerdict(t, not errors, errors[0] if errors else None))
    return verdicts
