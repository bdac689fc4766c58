"""Keyset pages for the API's lists (storyboard/keyset.py: no row twice, deep pages as cheap as
the first): ?cursor= from the previous page's `next`, ?limit= rows a page."""

from __future__ import annotations

from ninja import Query, Schema
from pydantic import Field

from storyboard import keyset
from storyboard.api.errors import ApiError

PAGE_DEFAULT, PAGE_MAX = 50, 100
CURSOR_MAX = 80


class PageParams(Schema):
    cursor: str | None = Field(None, max_length=CURSOR_MAX,
                               description="The `next` of the page before; omit for the first.")
    limit: int = Field(PAGE_DEFAULT, ge=1, le=PAGE_MAX, description="Rows on this page.")


def page(rows, params: PageParams, *, pk=keyset.int_pk, field: str = "created_at"):
    """(rows of this page, the next page's cursor or None); 422 for a cursor this API never
    gave (a page that silently restarted would repeat rows to a script)."""
    after = None
    if params.cursor:
        after = keyset.parse_cursor(params.cursor, pk)
        if after is None:
            raise ApiError(422, "cursor: not a cursor this API gave (use the `next` of the "
                                "page before, or leave it out for the first page)", "cursor")
    return keyset.page_of(rows, after, params.limit, field)


__all__ = ["PageParams", "Query", "page"]
