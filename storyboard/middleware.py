"""Request hygiene shared by every view."""

from __future__ import annotations

from django.http import QueryDict

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _without_nul(data: QueryDict) -> QueryDict:
    clean = QueryDict(mutable=True)
    for key, values in data.lists():
        clean.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    clean._mutable = False
    return clean


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class StripNulMiddleware:
    """Removes NUL characters from query and form fields. Nobody types one; pasted text can carry
    one, and PostgreSQL refuses them in text columns — a search or a save would fail with a
    server error instead of simply working."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", "") and _has_nul(request.GET):
            request.GET = _without_nul(request.GET)
        if request.method == "POST" and request.content_type in FORM_TYPES and _has_nul(
                request.POST):
            request.POST = _without_nul(request.POST)
        return self.get_response(request)
