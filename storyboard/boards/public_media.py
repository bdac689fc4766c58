"""Signed, expiring links to reference media, for vendors that fetch references by URL (those
that take media by URL only, and the others when the install has a public address: each vendor
package says which). Only files the app itself signed can be fetched, only until the link
expires; nothing else is reachable without signing in."""

from __future__ import annotations

import mimetypes

from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from storyboard.library.serving import serve_stored_file
from storyboard.teams.decorators import personal

SALT = "storyboard.public-media"
MAX_AGE = 3 * 24 * 3600  # vendors fetch within minutes; queues can hold a job for a while


def signed_path(storage_name: str) -> str:
    token = signing.dumps(storage_name, salt=SALT, compress=True)
    return reverse("boards:public_media", args=[token])


@login_not_required
@require_http_methods(["GET", "HEAD"])
@personal
def public_media(request, signed: str):
    try:
        name = signing.loads(signed, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        raise Http404("this link is not valid or has expired") from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return serve_stored_file(request, name, content_type)
