"""Who is acting, for the audit log: the request being answered, kept in a context variable.

Why a context variable and not a `by=` argument on every action: the audited actions are called
from pages, the API, guest pages and commands, and most of them (revoke a share link, change a
role, remove an account) take no "who" at all. Threading the request through each signature
would change every caller for a fact only the log needs. The variable is set here for exactly
the length of one request and reset after it (a context variable, unlike a thread-local, is
also right under ASGI), so outside a request — a management command — there is none and the
log says "command line". The request is read when the row is written, not now: the API's token
check runs inside the view, after this middleware (storyboard/api/auth.py sets api_token).
"""

from __future__ import annotations

from contextvars import ContextVar

_request: ContextVar = ContextVar("storyboard_audit_request", default=None)


def current_request():
    """The request being answered in this context, or None (a command, the worker)."""
    return _request.get()


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
