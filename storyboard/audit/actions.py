"""The one write of the audit log: `record(...)`, called by each audited action inside the
transaction of its change (so the row and the change commit or roll back together)."""

from __future__ import annotations

import ipaddress
import re

from django.db import models

from storyboard.audit.middleware import current_request
from storyboard.audit.models import AuditEvent
from storyboard.client_address import client_address

Kind = AuditEvent.Kind

# A details key made of one of these words names a secret. The log is read by every owner and
# kept for good, so a credential, token or password must never reach it, not even hashed:
# record() refuses such a key outright (a programming mistake that the tests of each action
# catch), rather than storing it.
_SECRET_WORDS = {"password", "passwd", "secret", "token", "credential", "credentials", "key",
                 "hash", "authorization", "cookie", "session"}
_WORD = re.compile(r"[a-z]+")


class SecretInDetails(ValueError):
    pass


def _check_details(value, path: str = "details") -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if _SECRET_WORDS & set(_WORD.findall(str(key).lower())):
                raise SecretInDetails(f"{path}[{key!r}]: the audit log never stores secrets")
            _check_details(inner, f"{path}[{key!r}]")
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            _check_details(inner, f"{path}[{index}]")


def _address(request) -> str | None:
    address = client_address(request) if request is not None else None
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:  # e.g. a unix socket's empty or odd peer name: no address, not a crash
        return None


def _actor(request, user, guest: str) -> tuple[object | None, str]:
    if guest:
        return None, f"guest {guest}"[:200]
    token = getattr(request, "api_token", None)
    if token is not None:
        return token.user, f"api token {token.name}"[:200]
    if user is None and request is not None:
        signed_in = getattr(request, "user", None)
        user = signed_in if signed_in is not None and signed_in.is_authenticated else None
    if user is not None:
        return user, user.get_username()
    return None, "command line" if request is None else "signed-out visitor"


def record(kind: str, *, team, target: models.Model | None = None, target_text: str = "",
           details: dict | None = None, user=None, guest: str = "") -> AuditEvent:
    """One row of the log for `team` (a Team or its id; None: server-wide). Who acted comes
    from the request being answered (storyboard/audit/middleware.py): its API token, else its
    signed-in user; `user` names the person when the request does not yet (a sign-up's new
    account), `guest` a share link's guest. `target` is described as it is now; `target_text`
    overrides its str()."""
    if kind not in Kind.values:
        raise ValueError(f"unknown audit kind {kind!r}")
    details = details or {}
    _check_details(details)
    request = current_request()
    actor, label = _actor(request, user, guest)
    return AuditEvent.objects.create(
        team_id=team if team is None or isinstance(team, int) else team.pk,
        actor=actor, actor_label=label, kind=kind,
        target_type=target._meta.verbose_name[:40] if target is not None else "",
        target_id=str(target.pk)[:64] if target is not None else "",
        target_text=(target_text or (str(target) if target is not None else ""))[:200],
        details=details, address=_address(request))
