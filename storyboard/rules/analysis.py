"""Facts about one storyboard that do not depend on the target.

Computed once and shared by every target's checks, so the cross-target strip (ten targets) costs
little more than one check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import SLOT_NAMES, Attachment, Storyboard, parse_whole_seconds, slot_kind
from .tokens import TOKEN_RE, Layout, normalise_tokens, plan_layout


@dataclass
class ShotFacts:
    prompt_field: str
    duration_field: str
    label: str  # "shot 2" or "the prompt" — for messages
    prompt: str  # normalised (pasted <<<…>>> forms turned into @ tokens)
    raw_duration: object
    seconds: int | None
    mentions: list[str]
    token_lengths: list[int]  # typed length of each mention, to count lengths as sent quickly


@dataclass
class Facts:
    storyboard: Storyboard
    multi_shot: bool
    shots: list[ShotFacts]
    total: int | None
    main_prompt: str  # settings.prompt, normalised (in multi-shot: APIMart's main prompt)
    main_mentions: list[str]
    main_token_lengths: list[int]
    images: list[tuple[str, Attachment]] = field(default_factory=list)
    elements: list[tuple[str, Attachment]] = field(default_factory=list)
    video: tuple[str, Attachment] | None = None
    bad_slots: list[str] = field(default_factory=list)
    first_frames: list[str] = field(default_factory=list)
    end_frames: list[str] = field(default_factory=list)
    mentioned: set[str] = field(default_factory=set)
    layouts: dict[tuple[str, tuple[str, ...]], Layout] = field(default_factory=dict)
    _lengths: dict[tuple[str, tuple[str, ...]], list[int]] = field(default_factory=dict)

    def layout(self, dialect: str, as_images: list[str]) -> Layout:
        """plan_layout, cached: kling and cometapi (o1, v3) share one."""
        key = (dialect, tuple(as_images))
        lay = self.layouts.get(key)
        if lay is None:
            lay = self.layouts[key] = plan_layout(
                self.storyboard, dialect, elements_as_images=as_images
            )
        return lay

    def shot_lengths(self, dialect: str, as_images: list[str]) -> list[int]:
        """Each shot prompt's length as sent in ``dialect`` (cached like the layout)."""
        key = (dialect, tuple(as_images))
        lengths = self._lengths.get(key)
        if lengths is None:
            tokens = self.layout(dialect, as_images).tokens
            lengths = self._lengths[key] = [
                sent_length(s.prompt, s.mentions, s.token_lengths, tokens) for s in self.shots
            ]
        return lengths

    @property
    def slots_used(self) -> int:
        return len(self.images) + len(self.elements)

    @property
    def base_video(self) -> bool:
        return self.video is not None and self.video[1].refer_type == "base"

    @property
    def text_or_first_frame_only(self) -> bool:
        """True for a text-only job or one whose only reference is a first frame (kling o1)."""
        if self.elements or self.video or len(self.images) > 1:
            return False
        return all(a.role == "first_frame" for _, a in self.images)


def _tokens(text: str) -> tuple[list[str], list[int]]:
    slots, lengths = [], []
    for m in TOKEN_RE.finditer(text):
        slots.append(f"{m.group(1)}_{int(m.group(2))}")
        lengths.append(m.end() - m.start())
    return slots, lengths


def sent_length(text: str, mentions: list[str], lengths: list[int], tokens: dict[str, str]) -> int:
    """Length of ``text`` once its tokens are rendered with ``tokens`` (no string is built)."""
    n = len(text)
    for slot, typed in zip(mentions, lengths, strict=True):
        rendered = tokens.get(slot)
        if rendered is not None:
            n += len(rendered) - typed
    return n


def analyse(sb: Storyboard) -> Facts:
    multi = sb.settings.multi_shot
    shots = []
    for i, (pfield, dfield, shot) in enumerate(sb.effective_shots()):
        prompt = normalise_tokens(shot.prompt if isinstance(shot.prompt, str) else "")
        mentions, lengths = _tokens(prompt)
        shots.append(
            ShotFacts(
                prompt_field=pfield,
                duration_field=dfield,
                label=f"shot {i + 1}" if multi else "the prompt",
                prompt=prompt,
                raw_duration=shot.duration,
                seconds=parse_whole_seconds(shot.duration),
                mentions=mentions,
                token_lengths=lengths,
            )
        )
    secs = [s.seconds for s in shots]
    known = [s for s in secs if s is not None]
    total = sum(known) if secs and len(known) == len(secs) else None
    main = normalise_tokens(sb.settings.prompt) if multi else ""
    facts = Facts(sb, multi, shots, total, main, *_tokens(main))
    for slot, att in sb.sorted_attachments():
        if slot not in SLOT_NAMES:
            facts.bad_slots.append(slot)
            continue
        kind = slot_kind(slot)
        if kind == "image":
            facts.images.append((slot, att))
            if att.role == "first_frame":
                facts.first_frames.append(slot)
            elif att.role == "end_frame":
                facts.end_frames.append(slot)
        elif kind == "element":
            facts.elements.append((slot, att))
        else:
            facts.video = (slot, att)
    facts.mentioned = {m for s in shots for m in s.mentions} | set(facts.main_mentions)
    return facts
