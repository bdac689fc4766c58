"""/api/v1/: the API's own routes, and a JSON 404 for any other path under it (never the
HTML error page). Token auth replaces the sign-in the rest of the site requires."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from storyboard.api.errors import error_response
from storyboard.api.main import api

patterns, _, _ = api.urls
app_name = "api"
for pattern in patterns:
    login_not_required(pattern.callback)  # marks the view; the token is checked per operation


@csrf_exempt  # no cookie auth here: a token in a header is not sent by a browser on its own
@login_not_required
def not_found(request, rest=""):
    return error_response(404, f"No such API path: /api/v1/{rest[:100]}")


urlpatterns = [*patterns, re_path(r"^(?P<rest>.*)$", not_found, name="not_found")]
