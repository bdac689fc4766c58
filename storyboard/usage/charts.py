"""The Usage page's charts, from its figures (report.py) through the SVG builder (svg.py). Each
says in its aria-label what a person would read off it; the page's tables hold every figure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import mark_safe

from storyboard.jobs.spending import amount_text
from storyboard.usage import svg
from storyboard.usage.report import Row, Usage

OUTCOMES = (("ok", "succeeded"), ("bad", "failed"), ("other", "cancelled or unfinished"))


@dataclass(frozen=True)
class Chart:
    key: str  # how the template names it: charts.spend_weeks
    title: str
    svg: str


def _seconds(s: float) -> str:
    return f"{s:,.0f} s"


def _week_tip(row: Row, what: str) -> str:
    return f"Week of {row.key.day} {row.key:%b %Y}: {what}"


def _most(rows: list[Row], value, text, joint: str = ", ") -> str:
    best = max(rows, key=value, default=None)
    if best is None or not value(best):
        return ""
    return f" The most: {text(value(best))}{joint}{best.label}."


WEEK = " in the week of "


def _outcomes(row: Row) -> str:
    failed = f"{row.failed} failed" + (f" ({row.failure_text})" if row.failures else "")
    return (f"{row.jobs} job{'s' if row.jobs != 1 else ''}: {row.succeeded} succeeded, {failed}, "
            f"{row.cancelled + row.unfinished} cancelled or unfinished")


def build(usage: Usage, unit: str) -> dict[str, Chart]:
    money = lambda a: amount_text(Decimal(a), unit)  # noqa: E731
    weeks, n = usage.weeks, len(usage.weeks)
    period = f"the last {n} weeks"
    charts: dict[str, Chart] = {}

    def add(key: str, title: str, drawn: str) -> None:
        charts[key] = Chart(key, title, mark_safe(drawn))  # noqa: S308 - svg.py escapes

    title = "Estimated spend per week"
    add("spend_weeks", title, svg.columns(
        [svg.bar(r.label, float(r.spend), _week_tip(r, f"{money(r.spend)} estimated"), "spend")
         for r in weeks], chart_id="svg-spend-weeks", title=title,
        summary=f"{title}, {period}: {money(usage.total.spend)} in all."
                + _most(weeks, lambda r: r.spend, money, WEEK),
        scale_text=lambda v: money(Decimal(str(round(v, 2))))))
    title = "Seconds generated per week"
    add("seconds_weeks", title, svg.columns(
        [svg.bar(r.label, r.seconds, _week_tip(r, f"{_seconds(r.seconds)} generated"), "seconds")
         for r in weeks], chart_id="svg-seconds-weeks", title=title,
        summary=f"{title}, {period}: {_seconds(usage.total.seconds)} in all."
                + _most(weeks, lambda r: r.seconds, _seconds, WEEK),
        scale_text=_seconds))
    title = "Jobs per week by outcome"
    add("outcomes_weeks", title, svg.columns(
        [svg.Bar(r.label, (("ok", r.succeeded), ("bad", r.failed),
                           ("other", r.cancelled + r.unfinished)), _week_tip(r, _outcomes(r)))
         for r in weeks], chart_id="svg-outcomes-weeks", title=title,
        summary=f"{title}, {period}: {_outcomes(usage.total)}.",
        scale_text=lambda v: f"{v:.0f} job{'' if v == 1 else 's'}", legend=OUTCOMES))
    for key, rows, what in (("accounts", usage.accounts, "account"),
                            ("people", usage.people, "person")):
        title = f"Estimated spend per {what}"
        add(key, title, svg.rows(
            [svg.bar(r.label, float(r.spend), f"{r.label}: {money(r.spend)} estimated, "
                     f"{_seconds(r.seconds)}, {_outcomes(r)}", "spend") for r in rows],
            chart_id=f"svg-{key}", title=title,
            summary=(f"{title}, {period}: {len(rows)} {what}{'s' if len(rows) != 1 else ''}."
                     + _most(rows, lambda r: r.spend, money)) if rows else
                    f"{title}, {period}: no paid jobs.",
            value_text=lambda b: money(Decimal(str(b.total)))))
    title = "Failures by kind"
    add("failures", title, svg.rows(
        [svg.bar(label, count, f"{label}: {count} job{'s' if count != 1 else ''}", "bad")
         for _, label, count in usage.failures], chart_id="svg-failures", title=title,
        summary=(f"{title}, {period}: " + "; ".join(
            f"{label} {count}" for _, label, count in usage.failures) + ".")
        if usage.failures else f"{title}, {period}: no failures.",
        value_text=lambda b: f"{b.total:.0f}"))
    return charts
