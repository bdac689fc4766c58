"""Monthly spending caps (docs/user-guide.md, "Usage and caps"). A job records the rate card's
estimate when it is submitted (`Job.estimated_cost`), so a month's spend is one sum in the
database; a submission that would take the team's or its account's month past a cap is refused
before anything is sent, and the first submission of a month that reaches 80 % of a cap leaves a
notice for the owners.

What counts towards a month: every paid job submitted in it (the calendar month in
settings.TIME_ZONE) except the failed ones and those cancelled before they were sent — the
vendor charged nothing for those. The local animatic is free and never capped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from storyboard.boards.editing import Cost, estimate, money
from storyboard.boards.models import RateCard
from storyboard.jobs.models import Job, State
from storyboard.rules import Report
from storyboard.teams.models import ProviderAccount, Team

NOTICE_AT = Decimal("0.8")  # owners are told when a month reaches this share of a cap
ANIMATIC = "animatic"


def month_start(now: datetime | None = None) -> datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_key(now: datetime | None = None) -> str:
    return month_start(now).strftime("%Y-%m")


def counted(jobs):
    """The paid jobs of `jobs` that count as spend (see the module's docstring)."""
    return (jobs.exclude(dialect=ANIMATIC).exclude(state=State.FAILED)
            .exclude(state=State.CANCELLED, create_sent_at__isnull=True))


def month_jobs(team_id: int, now: datetime | None = None):
    return counted(Job.objects.filter(team=team_id, created_at__gte=month_start(now)))


def spent_by_account(team_id: int, now: datetime | None = None) -> tuple[Decimal, dict]:
    """This month's spend of the team, and per account id: one query."""
    rows = (month_jobs(team_id, now).values("account_id")
            .annotate(spent=Sum("estimated_cost")).order_by())
    by_account = {r["account_id"]: r["spent"] or Decimal(0) for r in rows}
    return sum(by_account.values(), Decimal(0)), by_account


def unit_of(team) -> str:
    card = RateCard.objects.filter(team=team).only("unit").first()
    return card.unit if card else ""


def amount_text(amount: Decimal, unit: str) -> str:
    return f"{money(amount)} {unit}" if unit else money(amount)


def estimate_for(team, value, seconds: int) -> tuple[Cost, str]:
    """The editor's estimate (boards/editing.py `estimate`) of one submission of `value`, and the
    rate card's unit."""
    if value.target.dialect == ANIMATIC:
        return Cost("Free: the animatic is rendered on this machine.", Decimal(0)), ""
    card = RateCard.objects.filter(team=team).first()
    report = Report(target=value.target, total_seconds=seconds, seconds_range=None,
                    slots_used=0, slots_limit=None)
    return estimate(report, value.settings, card), (card.unit if card else "")


@dataclass(frozen=True)
class Cap:
    """One cap and this month's spend against it."""

    of: str  # "team" or "account"
    name: str  # the team's or the account's name
    limit: Decimal
    spent: Decimal
    unit: str = ""
    account_id: int | None = None

    @property
    def whose(self) -> str:
        return "the team's cap" if self.of == "team" else f"the cap of account “{self.name}”"

    @property
    def field(self) -> str:
        return f"{self.of}.monthly_cap"

    @property
    def percent(self) -> int:
        return int(self.spent * 100 / self.limit) if self.limit else 100

    @property
    def reached(self) -> bool:
        """At or past the notice share (a cap of 0 refuses every paid submission: always)."""
        return self.spent >= self.limit * NOTICE_AT

    @property
    def over(self) -> bool:
        return self.spent > self.limit

    def text(self, amount: Decimal) -> str:
        return amount_text(amount, self.unit)

    @property
    def notice(self) -> str:
        """The 80 % notice, in words."""
        return (f"This month's spend has reached {self.percent} % of {self.whose}: "
                f"{self.text(self.spent)} of {self.text(self.limit)}.")


@dataclass
class Judgement:
    """What the caps say of one submission: `refusal` is "" when it may go."""

    amount: Decimal | None
    refusal: str = ""
    cap: Cap | None = None  # the cap it would pass, with the month's spend so far
    would_be: Decimal | None = None
    reaching: list[Cap] = field(default_factory=list)  # caps this submission brings to 80 %

    def figures(self) -> dict:
        """The figures of a refusal, as the API answers them (amounts as decimal strings)."""
        if self.cap is None or self.amount is None or self.would_be is None:
            return {}
        return {"cap_of": self.cap.of, "name": self.cap.name, "unit": self.cap.unit,
                "estimate": money(self.amount), "spent": money(self.cap.spent),
                "would_be": money(self.would_be), "cap": money(self.cap.limit)}


def caps_of(team: Team, account: ProviderAccount | None, spent: Decimal, by_account: dict,
            unit: str) -> list[Cap]:
    caps = []
    if team.monthly_cap is not None:
        caps.append(Cap("team", team.name, team.monthly_cap, spent, unit))
    if account is not None and account.monthly_cap is not None:
        caps.append(Cap("account", account.label, account.monthly_cap,
                        by_account.get(account.pk, Decimal(0)), unit, account.pk))
    return caps


def judge(team: Team, account: ProviderAccount | None, cost: Cost, unit: str,
          now: datetime | None = None, *, what: str = "This submission") -> Judgement:
    """Whether a submission costing `cost` fits the caps of `team` and `account`, read fresh.
    The caller holds the team's row locked (`lock_team`), so two submissions cannot both fit
    the room only one of them has."""
    if account is None or (team.monthly_cap is None and account.monthly_cap is None):
        return Judgement(cost.amount)
    spent, by_account = spent_by_account(team.pk, now)
    caps = caps_of(team, account, spent, by_account, unit)
    if cost.amount is None:
        which = " and ".join(c.whose for c in caps)
        # cost.text says why there is no price (an empty card, or none for this target).
        why = cost.text.removeprefix("No estimate: ").split(". An owner")[0].rstrip(".")
        return Judgement(None, f"A price is needed for capped targets: {which} applies, and "
                               f"{why}, so this submission's cost cannot be judged. An owner "
                               f"can add a price per second on Team settings → Rate card.")
    reaching = []
    for cap in caps:
        would_be = cap.spent + cost.amount
        if would_be > cap.limit:
            return Judgement(cost.amount, (
                f"{what} (~{cap.text(cost.amount)}) would bring this month's spend to "
                f"{cap.text(would_be)}, over {cap.whose} of {cap.text(cap.limit)} (spent so far "
                f"this month: {cap.text(cap.spent)})."), cap, would_be)
        after = Cap(cap.of, cap.name, cap.limit, would_be, unit, cap.account_id)
        if after.reached:
            reaching.append(after)
    return Judgement(cost.amount, reaching=reaching)


def lock_team(team_id: int) -> Team:
    """The team's row, fresh and locked until the transaction ends (PostgreSQL; SQLite's
    IMMEDIATE transactions serialise writers already)."""
    return Team.objects.select_for_update().get(pk=team_id)


def leave_notices(team: Team, reaching: list[Cap], now: datetime | None = None) -> None:
    """The first time a month reaches 80 % of a cap, a notice for the owners (once per cap and
    month; the latest one is kept on the team and shown once to each owner's session)."""
    month, when = month_key(now), now or timezone.now()
    for cap in reaching:
        if cap.of == "team":
            fresh = Team.objects.filter(pk=team.pk).exclude(cap_notice_month=month)
        else:
            fresh = ProviderAccount.objects.filter(pk=cap.account_id).exclude(
                cap_notice_month=month)
        if fresh.update(cap_notice_month=month):
            Team.objects.filter(pk=team.pk).update(spend_notice=cap.notice[:400],
                                                   spend_notice_at=when)


def status(team: Team, accounts=(), now: datetime | None = None) -> list[Cap]:
    """This month's spend against every cap of the team and of `accounts` (for the Usage page
    and the editor): no query when nothing is capped."""
    capped = [a for a in accounts if a.monthly_cap is not None]
    if team.monthly_cap is None and not capped:
        return []
    spent, by_account = spent_by_account(team.pk, now)
    unit = unit_of(team)
    caps = caps_of(team, None, spent, by_account, unit)
    caps += [Cap("account", a.label, a.monthly_cap, by_account.get(a.pk, Decimal(0)), unit, a.pk)
             for a in capped]
    return caps


def recent_notice(team: Team, now: datetime | None = None) -> str:
    """The team's latest 80 % notice, if it was given this month."""
    if not team.spend_notice or team.spend_notice_at is None:
        return ""
    return team.spend_notice if month_key(team.spend_notice_at) == month_key(now) else ""
