"""The editor's form as a plain state: parsed and checked for what the database cannot hold
(an empty title, 7 shots, another team's image), turned into the rules' value, and compared with
what is saved.

Everything a person can get wrong *for a target* (durations, prompt lengths, tokens, slot pool)
is left to the rules, which report it beside the field; only what no target could take is
refused here, with a message naming the field, and then nothing is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from django.shortcuts import get_object_or_404

from storyboard.boards.models import (
    ASPECT_RATIOS,
    MODELS,
    MODES,
    PROMPT_MAX,
    PROVIDER_ID_MAX,
    REFER_TYPES,
    ROLES,
    TITLE_MAX,
    ProviderElement,
    Slot,
    Storyboard,
)
from storyboard.boards.models import Shot as ShotRow
from storyboard.library import access
from storyboard.library.models import ElementImage, ElementVersion, ReferenceVideo
from storyboard.rules import Attachment, Settings, Shot, Target
from storyboard.rules import Storyboard as Value
from storyboard.rules.model import SLOT_NAMES, parse_whole_seconds, slot_kind
from storyboard.rules.tokens import normalise_tokens
from storyboard.teams.models import ProviderAccount

MIN_SHOTS, MAX_SHOTS = 2, 6  # the timeline's own bounds (every multi-shot target takes 2–6)
RAW_MAX = 16  # durations and count are kept raw for the rules, but not unbounded
ANIMATIC = "animatic"
_MODEL_IDS = {m for m, _ in MODELS}
_MODE_IDS = {m for m, _ in MODES}
_RATIO_IDS = {a for a, _ in ASPECT_RATIOS}
_ROLE_IDS = {r for r, _ in ROLES}
_REFER_IDS = {r for r, _ in REFER_TYPES}
# What a slot may hold, by the slot's kind, as written in the form ("image:12").
ITEM_PREFIX = {"image": "image", "element": "version", "video": "video"}
# An element slot may hold a provider's own element id instead ("provider:u_abc").
PROVIDER_PREFIX = "provider"
# The shapes of the element ids a batch file may give as they are (and `omni_batch` sends as
# they are): a `u_…` string, or a whole number (int64). Anything else is a library name.
PROVIDER_ID = re.compile(rf"u_[A-Za-z0-9_-]{{1,{PROVIDER_ID_MAX - 2}}}|[0-9]{{1,19}}")


def is_provider_id(ref: str) -> bool:
    return bool(PROVIDER_ID.fullmatch(ref))


class Refused(Exception):
    """The form cannot be saved; `messages` maps a field (as the report names them) to why."""

    def __init__(self, messages: dict[str, str]):
        super().__init__("; ".join(messages.values()))
        self.messages = messages


@dataclass(frozen=True)
class SlotState:
    name: str
    item_id: int  # the library item's id; 0 when the slot holds a provider id
    role: str = "reference"
    refer_type: str = "feature"
    keep_original_sound: bool = False
    provider_id: str = ""  # an element slot: the provider's own element id, sent as is

    @classmethod
    def for_provider_id(cls, name: str, provider_id: str) -> SlotState:
        return cls(name, 0, provider_id=provider_id)

    @property
    def kind(self) -> str:
        return slot_kind(self.name) or ""

    @property
    def form_value(self) -> str:
        if self.provider_id:
            return f"{PROVIDER_PREFIX}:{self.provider_id}"
        return f"{ITEM_PREFIX[self.kind]}:{self.item_id}"


@dataclass(frozen=True)
class EditorState:
    version: int
    title: str
    account_id: int | None
    model: str = "v3"
    mode: str = "std"
    aspect_ratio: str = "16:9"
    audio: bool = False
    count: str = "1"
    negative_prompt: str = ""
    multi_shot: bool = True
    prompt: str = ""
    duration: str = "5"
    shots: tuple[tuple[str, str], ...] = ()
    slots: tuple[SlotState, ...] = ()

    @property
    def target_value(self) -> str:
        return target_value(self.account_id, self.model)

    def board_fields(self) -> dict:
        return {
            "title": self.title, "account_id": self.account_id, "model": self.model,
            "mode": self.mode, "aspect_ratio": self.aspect_ratio, "audio": self.audio,
            "count": self.count, "negative_prompt": self.negative_prompt,
            "multi_shot": self.multi_shot, "prompt": self.prompt, "duration": self.duration,
        }

    def reshaped(self) -> EditorState:
        """The same storyboard in the other shape, carrying the text over: single -> multi puts
        the prompt in shot 1 and splits the seconds over two shots; multi -> single joins the
        shot prompts (after the main prompt, if any) and sums the seconds."""
        if self.multi_shot:  # going single
            parts = [p.strip() for p in (self.prompt, *(p for p, _ in self.shots)) if p.strip()]
            seconds = [parse_whole_seconds(d) for _, d in self.shots]
            total = sum(seconds) if seconds and None not in seconds else None
            return replace(self, multi_shot=False, prompt="\n\n".join(parts),
                           duration=str(total) if total else "5", shots=())
        seconds = parse_whole_seconds(self.duration) or 6
        first = max(1, (seconds + 1) // 2)
        second = max(1, seconds - first)
        return replace(self, multi_shot=True, prompt="",
                       shots=((self.prompt, str(first)), ("", str(second))))


def target_value(account_id: int | None, model: str) -> str:
    return f"{account_id or ANIMATIC}/{model}"


def state_from_board(board: Storyboard) -> EditorState:
    return EditorState(
        version=board.version, title=board.title, account_id=board.account_id,
        model=board.model, mode=board.mode, aspect_ratio=board.aspect_ratio, audio=board.audio,
        count=board.count, negative_prompt=board.negative_prompt, multi_shot=board.multi_shot,
        prompt=board.prompt, duration=board.duration,
        shots=tuple((s.prompt, s.duration) for s in board.shots.all())
        if board.multi_shot else (),
        slots=tuple(_slot_state(s) for s in board.slots.all()),
    )


def _slot_state(slot) -> SlotState:
    if slot.provider_element_id:
        return SlotState.for_provider_id(slot.name, slot.provider_element_id)
    item = slot.image_id or slot.video_id or slot.element_version_id
    return SlotState(slot.name, item, slot.role, slot.refer_type, slot.keep_original_sound)


# --- parsing the form ---------------------------------------------------------------------


def _text(post, name: str, limit: int, what: str, errors: dict, field_name: str = "") -> str:
    value = post.get(name, "")
    if len(value) > limit:
        errors[field_name or name] = (f"{what} has {len(value):,} characters; at most "
                                      f"{limit:,} can be saved.")
    return value


def _choice(post, name: str, allowed: set[str], what: str, errors: dict) -> str:
    value = post.get(name, "")
    if value not in allowed:
        errors[name] = f"Choose {what} from the list."
    return value


def parse_state(post, team, current_account=None) -> EditorState:
    """The editor form -> EditorState, or Refused naming each field that cannot be saved."""
    errors: dict[str, str] = {}
    try:
        version = int(post.get("version", ""))
    except ValueError:
        raise Refused({"version": "The form has no version number: reload the page."}) from None

    title = " ".join(post.get("title", "").split())
    if not title:
        errors["title"] = "Give the storyboard a title: changes are saved once it has one."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"A title has at most {TITLE_MAX} characters; this one has {len(title)}."

    account_id, model = _parse_target(post.get("target", ""), team, errors, current_account)
    mode = _choice(post, "mode", _MODE_IDS, "a mode", errors)
    aspect_ratio = _choice(post, "aspect_ratio", _RATIO_IDS, "an aspect ratio", errors)
    count = _text(post, "count", RAW_MAX, "Outputs", errors).strip() or "1"
    negative = _text(post, "negative_prompt", PROMPT_MAX, "The negative prompt", errors)
    # The page posts the shape it shows and, from the switch, the shape wanted: a switch
    # carries the shown text over to the other shape.
    wanted = post.get("multi_shot", "1") != "0"
    multi = post.get("shown_multi_shot", "1" if wanted else "0") != "0"
    prompt = normalise_tokens(_text(post, "prompt", PROMPT_MAX, "The prompt", errors))
    duration = _text(post, "duration", RAW_MAX, "The duration", errors).strip()

    shots: tuple[tuple[str, str], ...] = ()
    if multi:
        shots = _parse_shots(post, errors)
    slots = _parse_slots(post, errors)
    if errors:
        raise Refused(errors)
    state = EditorState(
        version=version, title=title, account_id=account_id, model=model, mode=mode,
        aspect_ratio=aspect_ratio, audio=post.get("audio") in ("on", "1", "true"),
        count=count, negative_prompt=negative, multi_shot=multi, prompt=prompt,
        duration=duration, shots=shots, slots=slots,
    )
    return state.reshaped() if wanted != multi else state


def _parse_target(raw: str, team, errors: dict, current=None) -> tuple[int | None, str]:
    account, _, model = raw.partition("/")
    if model not in _MODEL_IDS:
        errors["target"] = "Choose a target from the list."
        return None, "v3"
    if account == ANIMATIC:
        return None, model
    if current is not None and account == str(current.pk):
        return current.pk, model
    if not account.isdigit() or not ProviderAccount.objects.filter(
            team=team, pk=int(account)).exists():
        errors["target"] = "That provider account is not one of this team's: choose a target."
        return None, model
    return int(account), model


def _parse_shots(post, errors: dict) -> tuple[tuple[str, str], ...]:
    prompts = post.getlist("shot_prompt")
    durations = post.getlist("shot_duration")
    if len(prompts) != len(durations):
        errors["shots"] = "Every shot needs a prompt and a duration field: reload the page."
        return ()
    if not MIN_SHOTS <= len(prompts) <= MAX_SHOTS:
        errors["shots"] = (f"The timeline holds {MIN_SHOTS}–{MAX_SHOTS} shots; this change "
                           f"had {len(prompts)}. Nothing was saved.")
        return ()
    shots = []
    for i, (p, d) in enumerate(zip(prompts, durations, strict=True)):
        if len(p) > PROMPT_MAX:
            errors[f"shots[{i}].prompt"] = (f"Shot {i + 1}'s prompt has {len(p):,} characters; "
                                            f"at most {PROMPT_MAX:,} can be saved.")
        if len(d) > RAW_MAX:
            errors[f"shots[{i}].duration"] = f"Shot {i + 1}'s duration is not a number of seconds."
        shots.append((normalise_tokens(p), d.strip()))
    return tuple(shots)


_ITEM = re.compile(r"(image|version|video):(\d{1,12})")
_PROVIDER_ITEM = f"{PROVIDER_PREFIX}:"


def _parse_slots(post, errors: dict) -> tuple[SlotState, ...]:
    names = post.getlist("slot")
    slots = []
    for name in names:
        if name not in SLOT_NAMES:
            errors["slots"] = f"{name[:20]!r} is not a reference slot."
            continue
        if name in (s.name for s in slots):
            errors[name] = f"@{name} is in the tray twice: reload the page."
            continue
        kind = slot_kind(name)
        raw = post.get(f"item_{name}", "")
        if raw.startswith(_PROVIDER_ITEM):  # kept from an import: the editor adds none
            ref = raw.removeprefix(_PROVIDER_ITEM)
            if kind != "element" or not is_provider_id(ref):
                errors[name] = (f"@{name} holds “{ref[:30]}”, which is not a provider's "
                                f"element id: reload the page.")
            else:
                slots.append(SlotState.for_provider_id(name, ref))
            continue
        m = _ITEM.fullmatch(raw)
        if not m or m.group(1) != ITEM_PREFIX[kind]:
            errors[name] = f"@{name} holds no {kind}: drop one from the library."
            continue
        role = post.get(f"role_{name}", "reference") or "reference"
        refer = post.get(f"refer_type_{name}", "feature") or "feature"
        if role not in _ROLE_IDS:
            errors[name] = f"Choose the role of @{name} from the list."
        if refer not in _REFER_IDS:
            errors[name] = f"Choose how @{name} is used from the list."
        slots.append(SlotState(name, int(m.group(2)), role if kind == "image" else "reference",
                               refer if kind == "video" else "feature",
                               kind == "video" and post.get(f"keep_sound_{name}") == "on"))
    return tuple(slots)


# --- library items behind the slots ---------------------------------------------------------

_NOT_VISIBLE = {
    "image": "@{slot}: that image is not in this team's library (it may have been deleted).",
    "element": "@{slot}: that element is not in this team's library (it may have been deleted "
               "or is no longer shared with this team).",
    "video": "@{slot}: that video is not in this team's library (it may have been deleted).",
}


def resolve_items(team, slots: tuple[SlotState, ...],
                  stored: dict[str, object] | None = None) -> dict[str, object]:
    """slot name -> the library object it points at, through the team's visibility rules
    (own things and shared elements). Raises Refused naming each slot that points elsewhere.
    A slot holding a provider's element id gets a ProviderElement: nothing to look up.

    `stored`: slot name -> item of the slots already saved (checked when they were added, and
    protected from deletion since); a slot that still holds the same item is not looked up
    again, so an autosave that adds no reference costs no library query."""
    stored = stored or {}
    wanted: dict[str, set[int]] = {"image": set(), "element": set(), "video": set()}
    known = {}
    for s in slots:
        item = stored.get(s.name)
        if s.provider_id:
            known[s.name] = ProviderElement(s.provider_id)
        elif item is not None and item.pk == s.item_id:
            known[s.name] = item
        else:
            wanted[s.kind].add(s.item_id)
    found: dict[str, dict[int, object]] = {"image": {}, "element": {}, "video": {}}
    if wanted["image"]:
        found["image"] = access.visible_images(team).in_bulk(wanted["image"])
    if wanted["element"]:
        found["element"] = access.visible_versions(team).select_related("element").in_bulk(
            wanted["element"])
    if wanted["video"]:
        found["video"] = ReferenceVideo.objects.filter(team=team).in_bulk(wanted["video"])
    items, errors = {}, {}
    for s in slots:
        item = known.get(s.name) or found[s.kind].get(s.item_id)
        if item is None:
            errors[s.name] = _NOT_VISIBLE[s.kind].format(slot=s.name)
        else:
            items[s.name] = item
    if errors:
        raise Refused(errors)
    return items


def items_of_board(board: Storyboard) -> dict[str, object]:
    """slot name -> library object for a board loaded with `load_board` (or
    `convert.with_related`)."""
    return {s.name: s.item for s in board.slots.all()}


# What the editor reads of a slot's item (building whole library rows costs more than the
# query): the views and `attachment`/`element_facts` use nothing else.
_SLOT_COLUMNS = (
    "storyboard_id", "name", "image_id", "video_id", "element_version_id", "provider_element_id",
    "role", "refer_type", "keep_original_sound", "image__name", "video__name",
    "element_version__name",
    "element_version__description", "element_version__created_at", "element_version__tag",
    "element_version__voice_id", "element_version__voice_clip",
    "element_version__element__kind", "element_version__element__team",
)


def load_board(team, pk) -> Storyboard:
    """The team's storyboard `pk` (404 otherwise) with its shots and its slots with their items,
    in three queries. Spelled out rather than prefetched: on every autosave the prefetch
    machinery and the models' default orderings (by storyboard first, which joins the
    storyboard table) cost more than the queries themselves."""
    board = get_object_or_404(Storyboard.objects.select_related("account"), team=team, pk=pk)
    shots = ShotRow.objects.filter(storyboard_id=board.pk).order_by("position", "id")
    slots = Slot.objects.filter(storyboard_id=board.pk).select_related(
        "image", "video", "element_version__element").only(*_SLOT_COLUMNS).order_by("name")
    for rows in (shots, slots):
        for row in rows:  # fills the queryset's cache, as a prefetch would
            row.storyboard = board
    board._prefetched_objects_cache = {"shots": shots, "slots": slots}
    return board


@dataclass(frozen=True)
class ElementFacts:
    """What the editor needs of an element version's pictures: their ids (thumbnails) and
    names (the rules' refs), frontal first."""

    image_ids: tuple[int, ...]
    image_names: tuple[str, ...]


# Element versions never change once saved (library/models.py), nor does the list of their
# pictures, so their facts are kept per process, keyed by id and creation time (an id alone
# could come back after a database reset): an autosave then needs no query for them. A renamed
# picture keeps its old name here until the process restarts; only the live check's refs use
# the names, and no check reads them.
_FACTS: dict[tuple[int, object], ElementFacts] = {}
_FACTS_MAX = 4096


def element_facts(versions) -> dict[int, ElementFacts]:
    """version id -> ElementFacts for the given ElementVersion objects."""
    keys = {v.pk: (v.pk, v.created_at) for v in versions}
    if len(_FACTS) > _FACTS_MAX:
        _FACTS.clear()
    for v in versions:  # already loaded with their pictures (convert.with_related): no query
        if keys[v.pk] not in _FACTS and "images" in getattr(v, "_prefetched_objects_cache", {}):
            pictures = [(link.image_id, link.image.name) for link in v.ordered_images()]
            _FACTS[keys[v.pk]] = ElementFacts(tuple(i for i, _ in pictures),
                                              tuple(n for _, n in pictures))
    missing = [pk for pk, key in keys.items() if key not in _FACTS]
    if missing:
        found: dict[int, list[tuple[int, str]]] = {pk: [] for pk in missing}
        rows = ElementImage.objects.filter(version_id__in=missing).order_by(
            "version_id", "position").values_list("version_id", "image_id", "image__name")
        for version_id, image_id, name in rows:
            found[version_id].append((image_id, name))
        for pk, pictures in found.items():
            _FACTS[keys[pk]] = ElementFacts(tuple(i for i, _ in pictures),
                                            tuple(n for _, n in pictures))
    return {pk: _FACTS[key] for pk, key in keys.items()}


def attachment(kind: str, item, slot: SlotState, facts: ElementFacts | None = None) -> Attachment:
    if slot.provider_id:  # the id alone, as a batch file gives it: the rules know it as such
        return Attachment(slot.provider_id)
    if kind == "image":
        return Attachment(item.name, role=slot.role)
    if kind == "video":
        return Attachment(item.name, refer_type=slot.refer_type,
                          keep_original_sound=slot.keep_original_sound)
    return element_attachment(item, facts.image_names if facts else ())


def element_attachment(version, image_names) -> Attachment:
    """What the rules know of an element version: the one builder for the live check, the
    submit check and the batch command, so they cannot disagree (the voice and tag rules
    depend on it)."""
    names = tuple(image_names)
    voice = "id" if version.voice_id else ("clip" if version.voice_clip else "")
    return Attachment(
        version.name, name=version.name, description=version.description,
        is_video_element=version.element.kind == "video", tag=version.tag, voice=voice,
        frontal_image=names[0] if names else None, extra_images=names[1:],
    )


def unshared_slots(team_id: int, items: dict[str, object]) -> dict[str, str]:
    """slot name -> why it may not be used, for the slots holding an element of a team that no
    longer shares its library with `team_id`. A slot keeps such an element after the share is
    revoked (nothing of the board is lost); the check then refuses it. One query, and only
    when some slot holds another team's element."""
    foreign = {name: item for name, item in items.items()
               if isinstance(item, ElementVersion) and item.element.team_id != team_id}
    if not foreign:
        return {}
    sharing = set(access.teams_sharing_with(team_id).values_list("from_team_id", flat=True))
    return {name: f"element “{version.name}” is no longer shared with you: choose another "
                  f"element, or ask its team to share its library again."
            for name, version in foreign.items() if version.element.team_id not in sharing}


def to_rules_value(state: EditorState, dialect: str, items: dict[str, object], *,
                   team_id: int) -> Value:
    """The rules value of an editor state: the one builder, for the live check, the submit
    check, the preview and the export, so what the editor says Ready is what submit accepts."""
    facts = element_facts([items[s.name] for s in state.slots
                           if s.kind == "element" and not s.provider_id])
    unavailable = unshared_slots(team_id, items)
    attachments = {}
    for s in state.slots:
        made = attachment(s.kind, items[s.name], s, facts.get(items[s.name].pk))
        if s.name in unavailable:
            made = replace(made, unavailable=unavailable[s.name])
        attachments[s.name] = made
    return Value(
        settings=Settings(title=state.title, mode=state.mode, aspect_ratio=state.aspect_ratio,
                          duration=state.duration, count=state.count, audio=state.audio,
                          negative_prompt=state.negative_prompt, multi_shot=state.multi_shot,
                          prompt=state.prompt),
        target=Target(dialect, state.model),
        shots=tuple(Shot(p, d) for p, d in state.shots),
        attachments=attachments,
    )


def board_value(board: Storyboard) -> Value:
    """The rules value of a stored board whose shots and slots are loaded (`load_board`, or
    `convert.with_related`)."""
    return to_rules_value(state_from_board(board), board.dialect, items_of_board(board),
                          team_id=board.team_id)


def thumbnail_of(kind: str, item) -> tuple[str, tuple]:
    """(url name, args) of a small picture for a slot's item."""
    if kind == "image":
        return "library:image_file", (item.pk, "256")
    if kind == "video":
        return "library:video_file", (item.pk, "poster")
    facts = element_facts([item])[item.pk]
    if facts.image_ids:
        return "library:image_file", (facts.image_ids[0], "256")
    return "library:version_file", (item.pk, "poster")
