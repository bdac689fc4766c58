"""Small builders for storyboards in the rules tests (plain data, no database)."""

from __future__ import annotations

from storyboard.rules.checks import CheckContext, check
from storyboard.rules.model import Attachment, Settings, Shot, Storyboard, Target
from storyboard.rules.report import Report

URL = "https://cdn.example.com/"


def img(n: int = 1, role: str = "reference") -> Attachment:
    return Attachment(ref=f"{URL}img{n}.jpg", role=role)


def element(n: int = 1, **facts) -> Attachment:
    facts.setdefault("name", f"Hero{n}")
    facts.setdefault("frontal_image", f"{URL}el{n}-front.jpg")
    facts.setdefault("extra_images", (f"{URL}el{n}-side.jpg",))
    return Attachment(ref=f"u_el{n}", **facts)


def video(refer_type: str = "feature") -> Attachment:
    return Attachment(ref=f"{URL}ref.mp4", refer_type=refer_type)


def single(
    prompt: str = "A chef cooks", duration=5, target=("useapi", "v3"), attachments=None, **settings
) -> Storyboard:
    return Storyboard(
        Settings(prompt=prompt, duration=duration, **settings),
        Target(*target),
        (),
        dict(attachments or {}),
    )


def multi(
    *durations, prompts=None, target=("useapi", "v3"), attachments=None, **settings
) -> Storyboard:
    prompts = prompts or [f"Shot {i + 1} of the kitchen scene" for i in range(len(durations))]
    return Storyboard(
        Settings(multi_shot=True, **settings),
        Target(*target),
        tuple(Shot(p, d) for p, d in zip(prompts, durations, strict=True)),
        dict(attachments or {}),
    )


def mentioning(slots) -> str:
    return "A scene with " + " and ".join(f"@{s}" for s in slots)


def run(sb: Storyboard, target=None, **context) -> Report:
    return check(sb, Target(*target) if target else None, CheckContext(**context))


def codes(report: Report, severity: str | None = None) -> list[str]:
    return [p.code for p in report.problems if severity is None or p.severity == severity]


def errors(report: Report) -> list[str]:
    return codes(report, "error")


def only(report: Report, code: str):
    found = [p for p in report.problems if p.code == code]
    assert len(found) == 1, f"expected one {code}, got {report.problems}"
    return found[0]
