"""What the editor shows about a storyboard besides its inputs: the check report placed beside
each field, the character counters, the strip of other targets and the cost estimate. Built the
same way for the page and for every autosave answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings

from storyboard.boards.state import ANIMATIC, EditorState
from storyboard.providers.registry import LABELS, check_context_fields
from storyboard.rules import CheckContext, Problem, Report, Target, capability_for
from storyboard.rules.analysis import analyse
from storyboard.rules.capabilities import TARGETS
from storyboard.rules.checks import check_facts
from storyboard.rules.model import parse_whole_seconds

SETTING_FIELDS = ("title", "target", "mode", "aspect_ratio", "audio", "count",
                  "negative_prompt", "multi_shot", "prompt", "shots", "slots")
_NON_ID = re.compile(r"[^a-z0-9_]+")


def dom_id(field_name: str) -> str:
    """`shots[2].duration` -> `shots-2-duration`: the suffix of the ids beside each field."""
    return _NON_ID.sub("-", field_name.lower()).strip("-")


def fields_on_page(state: EditorState) -> list[str]:
    """Every field the editor has a place for, so an answer can clear old messages too."""
    names = list(SETTING_FIELDS)
    if not state.multi_shot:
        names.append("duration")
    for i in range(len(state.shots)):
        names += [f"shots[{i}].prompt", f"shots[{i}].duration"]
    names += [s.name for s in state.slots]
    return names


@dataclass
class Counter:
    field: str
    used: int
    limit: int | None

    @property
    def id(self) -> str:
        return "c-" + dom_id(self.field)

    @property
    def over(self) -> bool:
        return self.limit is not None and self.used > self.limit

    @property
    def text(self) -> str:
        return f"{self.used:,} / {self.limit:,}" if self.limit else f"{self.used:,}"


@dataclass
class Cost:
    text: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class StripVerdict:
    """One other target, named the way the team knows it (an account's label and a model),
    with the first reason it would refuse the storyboard."""

    label: str
    target: Target
    reason: Problem | None
    depends_on_account: bool = False  # a refusal another account of the vendor may not make

    @property
    def ok(self) -> bool:
        return self.reason is None


# What a verdict says when it turns on the account rather than the storyboard.
_ACCOUNT_DEPENDENT = {"public_media_required", "vip_required", "element_id_missing"}


@dataclass
class Checked:
    report: Report
    strip: list[StripVerdict]
    boxes: list[tuple[str, list[Problem]]]  # (dom id suffix, problems) for every field
    counters: list[Counter]
    cost: Cost
    by_field: dict[str, list[Problem]] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return len(self.report.errors)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.report.problems)

    @property
    def accepting(self) -> list[str]:
        return [v.label for v in self.strip if v.ok]

    @property
    def refusing(self) -> list[tuple[list[str], str]]:
        """Targets that would refuse, grouped when they refuse for the same reason (the
        message with the target's own name taken out), each group with that message."""
        groups: dict[tuple[str, str], tuple[list[str], str]] = {}
        for v in self.strip:
            if v.ok:
                continue
            message = v.reason.message.replace(v.target.label(), "this target")
            if v.depends_on_account:
                message += (" This depends on the account and this install, not on the "
                            "storyboard.")
            groups.setdefault((v.reason.code, message), ([], message))[0].append(v.label)
        return list(groups.values())

    def problems_of(self, field_name: str) -> list[Problem]:
        return self.by_field.get(field_name, [])


def context_for(account) -> CheckContext:
    """What the rules need to know about the target account and this install (the editor and
    the submit path use the same answer). The vendor-specific parts (a VIP plan, elements that
    cannot be created) come from the vendor packages; this install adds what only it knows."""
    # Vendors fetch media from the public URL; the local sandbox from this machine.
    public = bool(settings.STORYBOARD_PUBLIC_BASE_URL) or bool(
        account is not None and account.sandbox and settings.STORYBOARD_LOCAL_URL)
    return CheckContext(public_media=public, **check_context_fields(account))


def run_checks(value, state: EditorState, account, rate_card, accounts=()) -> Checked:
    """`accounts`: the team's provider accounts, for the strip of other targets."""
    facts = analyse(value)
    target = value.target
    ctx = context_for(account)
    report = check_facts(facts, target, ctx)
    strip = _strip(facts, target, account, accounts)
    by_field: dict[str, list[Problem]] = {}
    for p in report.problems:
        by_field.setdefault(p.field, []).append(p)
    boxes = [(dom_id(f), by_field.get(f, [])) for f in fields_on_page(state)]
    return Checked(report, strip, boxes, _counters(facts, value, state),
                   estimate(report, state, rate_card), by_field)


def _strip(facts, current: Target, account, accounts) -> list[StripVerdict]:
    """Every target the team could pick instead: each of its accounts with each model (checked
    with that account's own context: VIP, public media, element ids), the animatic, and the
    vendors it has no account with yet."""
    models = sorted({t.model for t in TARGETS})
    current_account = account.pk if account is not None else None
    choices: list[tuple[str, Target, object]] = []
    for a in accounts:
        for model in models:
            if (a.pk, model) != (current_account, current.model):
                choices.append((f"{a.label} · {model}", Target(a.dialect, model), a))
    with_account = {a.dialect for a in accounts}
    for t in TARGETS:
        if t.dialect == ANIMATIC:
            if current != t:
                choices.append((f"Local preview (animatic) · {t.model}", t, None))
        elif t.dialect not in with_account:
            choices.append((f"{LABELS.get(t.dialect, t.dialect)} · {t.model} (no account yet)",
                            t, None))
    verdicts = []
    for label, t, a in choices:
        errors = check_facts(facts, t, context_for(a)).errors
        reason = errors[0] if errors else None
        verdicts.append(StripVerdict(label, t, reason,
                                     bool(reason and reason.code in _ACCOUNT_DEPENDENT)))
    return verdicts


def _counters(facts, value, state: EditorState) -> list[Counter]:
    cap = capability_for(value.target)
    lengths = facts.shot_lengths(value.target.dialect, [])
    out = []
    if state.multi_shot:
        limit = cap.shot_prompt_chars if cap else None
        out += [Counter(f"shots[{i}].prompt", n, limit) for i, n in enumerate(lengths)]
        out.append(Counter("prompt", len(facts.main_prompt), cap.prompt_chars if cap else None))
    else:
        out.append(Counter("prompt", lengths[0] if lengths else 0,
                           cap.prompt_chars if cap else None))
    out.append(Counter("negative_prompt", len(state.negative_prompt),
                       cap.negative_prompt_chars if cap else None))
    return out


def rate_key(dialect: str, model: str, mode: str) -> str:
    return f"{dialect}:{model}:{mode}"


def estimate(report: Report, state: EditorState, rate_card) -> Cost:
    target = report.target
    if target.dialect == "animatic":
        return Cost("Free: the animatic is rendered on this machine.", Decimal(0))
    if report.total_seconds is None:
        return Cost("An estimate appears once every duration is a whole number of seconds.")
    prices = rate_card.prices if rate_card is not None else {}
    if not prices:
        return Cost("No estimate: the team's rate card is empty. An owner can add prices per "
                    "second on Team settings.")
    raw = prices.get(rate_key(target.dialect, target.model, state.mode))
    try:
        per_second = Decimal(raw) if raw is not None else None
    except InvalidOperation:
        per_second = None
    if per_second is None:
        return Cost(f"No estimate: the rate card has no price for {target.label()} "
                    f"{state.mode}.")
    outputs = parse_whole_seconds(state.count) or 1
    amount = per_second * report.total_seconds * max(1, outputs)
    unit = f" {rate_card.unit}" if rate_card.unit else ""
    times = f" × {outputs} outputs" if outputs > 1 else ""
    return Cost(f"≈ {money(amount)}{unit} ({report.total_seconds} s × "
                f"{money(per_second)}{unit} per second{times}, {target.label()} "
                f"{state.mode})", amount)


def money(amount: Decimal) -> str:
    """An amount as prices are written: at least two decimals (0.50, 12.00), more only when
    the price has them (0.084), never an exponent."""
    cents = amount.quantize(Decimal("0.01"))
    return f"{cents:f}" if cents == amount else f"{amount.normalize():f}"
