"""Keyset pagination, newest first, for every list that grows without bound (the gallery's
clips, the Jobs page): a page starts strictly after the last row of the one before, by
(created_at, pk), so rows arriving meanwhile never shift a page, no row shows twice, and a deep
page costs what the first one does (no OFFSET). The cursor in the URL is
`<microseconds since 1970>_<pk>`, exact to the microsecond."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DIGITS_MAX = 18  # far beyond any real timestamp or id; refuses absurd input cheaply


def int_pk(text: str) -> int:
    if not text.isdigit() or len(text) > _DIGITS_MAX:
        raise ValueError(text)
    return int(text)


def uuid_pk(text: str) -> uuid.UUID:
    if len(text) > 36:
        raise ValueError(text)
    return uuid.UUID(text)


def cursor_of(row, field: str = "created_at") -> str:
    """Where the page after `row` starts."""
    return f"{(getattr(row, field) - _EPOCH) // timedelta(microseconds=1)}_{row.pk}"


def parse_cursor(text: str, pk: Callable[[str], object] = int_pk) -> tuple[datetime, object] | None:
    """The (timestamp, pk) of a cursor, or None for anything else (then the first page shows)."""
    micros, _, key = (text or "").partition("_")
    if not micros.isdigit() or len(micros) > _DIGITS_MAX:
        return None
    try:
        return _EPOCH + timedelta(microseconds=int(micros)), pk(key)
    except (ValueError, OverflowError):
        return None


def page_of(rows: QuerySet, after: tuple[datetime, object] | None, size: int,
            field: str = "created_at") -> tuple[list, str | None]:
    """One page of `rows` in (field, pk) order, newest first, and the cursor of the next page
    (None on the last one). Ties on the timestamp are broken by pk, so the order is total."""
    rows = rows.order_by(f"-{field}", "-pk")
    if after is not None:
        at, pk = after
        rows = rows.filter(Q(**{f"{field}__lt": at}) | Q(**{field: at, "pk__lt": pk}))
    found = list(rows[: size + 1])
    more = len(found) > size
    found = found[:size]
    return found, (cursor_of(found[-1], field) if more and found else None)
