"""The logic of ``manage.py storyboard_check`` and ``storyboard_payload`` (docs/command-line.md).

Pure functions returning a :class:`CliResult`; the management commands only print it and exit.
Exit codes: 0 every storyboard ok, 1 any has an error, 2 the file cannot be read or is not in the
batch format (``stderr`` says where).

Without ``--dialect``, ``storyboard_check`` checks for ``useapi`` — the dialect of the batch
script whose file format this is; ``--model`` overrides each item's ``omni_version``.
Context the file cannot tell (is the useapi account VIP? does the app have a public media URL?)
is unknown, so those problems come as warnings. On CometAPI, an element given by a whole number
is taken as a CometAPI id; any other element with a frontal image goes as that image (with the
``element_sent_as_image`` warning), exactly as ``storyboard_payload`` prints it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .batch import BatchFile, BatchFormatError, parse_batch
from .bodies import BodyError, BodyOptions, ElementAsImage, build_body
from .capabilities import DIALECTS, MODELS
from .checks import CheckContext, check
from .model import Storyboard, Target, slot_kind
from .report import Report

DEFAULT_DIALECT = "useapi"
OK, INVALID, UNREADABLE = 0, 1, 2


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str = ""
    stderr: str = ""


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _load(path: str | Path, dialect: str, model: str | None) -> BatchFile | CliResult:
    name = str(path)
    if dialect not in DIALECTS:
        return CliResult(
            UNREADABLE, stderr=f"unknown dialect {dialect!r}; use one of {', '.join(DIALECTS)}"
        )
    if model is not None and model not in MODELS:
        return CliResult(
            UNREADABLE, stderr=f"unknown model {model!r}; use one of {', '.join(MODELS)}"
        )
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        return CliResult(UNREADABLE, stderr=f"{name}: cannot read the file ({e.strerror or e})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return CliResult(UNREADABLE, stderr=f"{name}: not UTF-8 text (byte {e.start})")
    try:
        batch = parse_batch(text, dialect)
    except BatchFormatError as e:
        return CliResult(UNREADABLE, stderr=f"{name}: {e}")
    if model is not None:
        for item in batch.items:
            sb = item.storyboard
            item.storyboard = type(sb)(
                sb.settings, Target(dialect, model), sb.shots, sb.attachments
            )
    return batch


def _element_ids(sb: Storyboard, context: CheckContext) -> CheckContext:
    """On CometAPI the file's whole-number element refs are the account's ids."""
    dialect = sb.target.dialect
    if dialect != "cometapi" or dialect in context.element_ids:
        return context
    ids = frozenset(
        s for s, a in sb.attachments.items() if slot_kind(s) == "element" and a.ref.isdigit()
    )
    return replace(context, element_ids={**context.element_ids, dialect: ids})


def _refs(sb: Storyboard, context: CheckContext) -> dict[str, ElementAsImage]:
    """Elements without an id on an id-only dialect, sent as their frontal image."""
    have = context.element_ids.get(sb.target.dialect)
    if have is None:
        return {}
    return {
        s: ElementAsImage(a.frontal_image)
        for s, a in sb.attachments.items()
        if slot_kind(s) == "element" and s not in have and a.frontal_image
        and not a.is_video_element
    }


def _reports(batch: BatchFile, context: CheckContext) -> list[Report]:
    reports = []
    for item in batch.items:
        report = check(item.storyboard, context=_element_ids(item.storyboard, context))
        report.problems[:0] = item.problems  # reading warnings first: they explain the rest
        reports.append(report)
    return reports


def _summary(reports: list[Report]) -> str:
    bad = sum(not r.ok for r in reports)
    if len(reports) == 1:
        return "the storyboard has errors"
    return f"{bad} of {len(reports)} storyboards {'has' if bad == 1 else 'have'} errors"


def run_check(
    path: str | Path,
    dialect: str | None = None,
    model: str | None = None,
    context: CheckContext | None = None,
) -> CliResult:
    """``storyboard_check``: the report JSON (a list for a list file) and the exit code."""
    batch = _load(path, dialect or DEFAULT_DIALECT, model)
    if isinstance(batch, CliResult):
        return batch
    reports = _reports(batch, context or CheckContext())
    dicts = [r.to_dict() for r in reports]
    out = _dump(dicts if batch.is_list else dicts[0])
    if all(r.ok for r in reports):
        return CliResult(OK, out)
    return CliResult(INVALID, out, _summary(reports))


def run_payload(
    path: str | Path,
    dialect: str,
    model: str | None = None,
    context: CheckContext | None = None,
    options: BodyOptions | None = None,
) -> CliResult:
    """``storyboard_payload``: the create body JSON, or the reports and exit 1 when invalid.

    References are sent as given in the file; no ``external_task_id`` is added (there is no job).
    """
    batch = _load(path, dialect, model)
    if isinstance(batch, CliResult):
        return batch
    reports = _reports(batch, context or CheckContext())
    if not all(r.ok for r in reports):
        dicts = [r.to_dict() for r in reports]
        return CliResult(INVALID, _dump(dicts if batch.is_list else dicts[0]), _summary(reports))
    context = context or CheckContext()
    try:
        bodies = []
        for item in batch.items:
            sb = item.storyboard
            refs = _refs(sb, _element_ids(sb, context))
            bodies.append(build_body(sb, refs=refs, options=options))
    except BodyError as e:  # a check should have caught it; say so rather than crash
        return CliResult(INVALID, stderr=f"cannot build the body: {e}")
    return CliResult(OK, _dump(bodies if batch.is_list else bodies[0]))
