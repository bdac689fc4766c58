"""Every error of the API as JSON {"detail": …, "field": …} (field null when no one field is
at fault), with its status: 400 401 403 404 409 422 429 — never an HTML page (docs/api.md)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError


class ApiError(Exception):
    def __init__(self, status: int, detail: str, field: str | None = None, *,
                 extra: dict | None = None, headers: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.field = status, detail, field
        self.extra, self.headers = extra or {}, headers or {}


def error_response(status: int, detail: str, field: str | None = None, *,
                   extra: dict | None = None, headers: dict | None = None) -> JsonResponse:
    response = JsonResponse({"detail": detail, "field": field, **(extra or {})}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


_SOURCES = {"body", "query", "path", "header", "form", "file", "cookie"}


def _field_of(loc) -> str | None:
    parts = [str(p) for p in loc]
    source = parts[0] if parts and parts[0] in _SOURCES else None
    if source:
        parts = parts[1:]
    if parts and parts[0] in ("payload", "body", "item"):  # the operation's parameter name
        parts = parts[1:]
    # The whole body missing (empty, or not JSON): the body itself is the field at fault.
    return ".".join(parts) or ("body" if source == "body" else None)


def _validation(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    field = _field_of(first.get("loc", ()))
    message = first.get("msg", "invalid input")
    if field == "Idempotency-Key" or (field or "").lower() == "idempotency_key":
        field = "Idempotency-Key"
    if field == "body" and message == "Field required":
        message = "a JSON object is required (Content-Type: application/json)"
    detail = f"{field}: {message}" if field else message
    return error_response(422, detail, field)


def _authentication(request, exc):
    return error_response(401, str(exc) if str(exc) and str(exc) != "Unauthorized" else
                          "Send a valid API token: Authorization: Bearer sbt_…",
                          headers={"WWW-Authenticate": "Bearer"})


UNPARSABLE_BODY = ("The request body could not be parsed: send JSON with Content-Type: "
                   "application/json, or multipart/form-data with its boundary.")


def _http_error(request, exc: HttpError):
    if exc.status_code == 400 and str(exc) == "Cannot parse request body":  # django-ninja's
        return error_response(400, UNPARSABLE_BODY, "body")
    return error_response(exc.status_code, str(exc))


def install(api) -> None:
    api.add_exception_handler(ApiError, lambda request, exc: error_response(
        exc.status, exc.detail, exc.field, extra=exc.extra, headers=exc.headers))
    api.add_exception_handler(ValidationError, _validation)
    api.add_exception_handler(AuthenticationError, _authentication)
    api.add_exception_handler(Http404, lambda request, exc: error_response(
        404, "Not found: no such object in this token's team."))
    api.add_exception_handler(PermissionDenied, lambda request, exc: error_response(
        403, str(exc) or "This token's role cannot do this."))
    api.add_exception_handler(HttpError, _http_error)
    from storyboard.api.auth import RateLimited

    api.add_exception_handler(RateLimited, lambda request, exc: error_response(
        429, str(exc), headers={"Retry-After": str(exc.retry_after)}))
