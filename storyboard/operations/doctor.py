"""`manage.py doctor`: the health checks of /healthz plus the configuration problems that can be
seen from here. Each check returns findings: a problem (the command ends with exit 1), a note
(worth knowing, not wrong) or ok.

Run it with the environment the server runs with: where a secret comes from is read from it.
"""

from __future__ import annotations

import email.utils
import ipaddress
import os
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings

from storyboard.env import secret_source
from storyboard.operations import health

OK, NOTE, PROBLEM = "ok", "note", "problem"
CLOCK_AHEAD_LIMIT = 5  # s: clock-stamped tokens are valid from 5 s before our "now"
CLOCK_BEHIND_LIMIT = 60  # s: behind, tokens expire early at the vendor's end
CLOCK_URLS_AT_MOST = 3
CLOCK_TIMEOUT = httpx.Timeout(5.0)


@dataclass(frozen=True)
class Finding:
    level: str
    text: str


def health_findings() -> list[Finding]:
    answer = health.report()
    problems = dict(text.partition(": ")[::2] for text in answer["problems"])
    found = []
    for name, good in (
        ("database", "the database answers"),
        ("sweep", f"the poll sweep ran {answer['sweep'].get('seconds_ago')} s ago"),
        ("broker", f"the broker ({answer['broker']['kind']}) answers"),
        ("jobs", f"no due job is late (oldest: "
                 f"{answer['jobs'].get('oldest_due_late_seconds', 0)} s)"),
    ):
        if name in problems:
            found.append(Finding(PROBLEM, f"{name}: {problems[name]}"))
        elif answer[name]["ok"] is None:
            found.append(Finding(NOTE, f"{name}: not checked, {answer[name]['unknown']}"))
        else:
            found.append(Finding(OK, good))
    return found


def _var(path: Path) -> bool:
    return path.resolve().is_relative_to(settings.VAR_DIR)


def secret_key() -> list[Finding]:
    if secret_source("SECRET_KEY") == "generated":
        return [Finding(PROBLEM, f"SECRET_KEY was generated into {settings.VAR_DIR / 'secret_key'}"
                        ": set SECRET_KEY or SECRET_KEY_FILE from your secret store, the same for "
                        "every web and worker process (changing it signs everyone out and ends "
                        "every signed link)")]
    return [Finding(OK, f"SECRET_KEY comes from the {secret_source('SECRET_KEY')}")]


def _encrypted_values() -> list[str]:
    from storyboard.teams.crypto import encrypted_fields

    values = []
    for model, field in encrypted_fields():
        values += model.objects.exclude(**{field: ""}).values_list(field, flat=True)
    return values


def credentials_key() -> list[Finding]:
    from storyboard.teams.crypto import configured_keys, readable

    name = "STORYBOARD_CREDENTIALS_KEY"
    values = _encrypted_values()
    source = secret_source(name)
    where = settings.VAR_DIR / "credentials_key" if source == "generated" else None
    if source == "file":
        file = Path(os.environ[f"{name}_FILE"])
        where = file if _var(file) else None
    found = []
    if where is not None:
        level = PROBLEM if values else NOTE
        found.append(Finding(level, (
            f"{name} is kept only in {where}, inside the var directory, and "
            f"{len(values)} saved secret(s) depend on it: back up that file with the database "
            "(without it saved provider credentials and webhook secrets cannot be read), or "
            f"keep the key in your secret store and pass it as {name} or {name}_FILE")))
    else:
        found.append(Finding(OK, f"{name} comes from the {source}"))
    unreadable = [v for v in values if not readable(v)]
    if unreadable:
        found.append(Finding(PROBLEM, (
            f"{len(unreadable)} saved secret(s) cannot be read with any configured key: put the "
            f"old key back in {name} (after the new one), or enter those credentials again")))
    keys = len(configured_keys())
    if keys > 1:
        older = [v for v in values if v not in unreadable and not readable(v, newest_only=True)]
        found.append(Finding(NOTE, (
            f"{name} holds {keys} keys; {len(older)} saved secret(s) still use an older one: "
            "run `manage.py rotate_credentials_key`" if older else
            f"{name} holds {keys} keys and every saved secret uses the first: the others can "
            "be dropped")))
    return found


def _loopback(host: str) -> bool:
    host = host.strip("[]").split("%")[0]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def debug_and_hosts() -> list[Finding]:
    public = [host for host in settings.ALLOWED_HOSTS if not _loopback(host)]
    found = []
    if settings.DEBUG and public:
        found.append(Finding(PROBLEM, (
            f"DEBUG is on while ALLOWED_HOSTS names {', '.join(public)}: error pages would show "
            "settings and code to anyone who reaches them; set DEBUG=0")))
    if public and not settings.SESSION_COOKIE_SECURE:
        found.append(Finding(NOTE, (
            "STORYBOARD_HTTPS is off while ALLOWED_HOSTS names hosts other than this machine: "
            "cookies go without the Secure flag (set STORYBOARD_HTTPS=1 when served over "
            "HTTPS, with STORYBOARD_BEHIND_PROXY=1 behind a TLS proxy)")))
    if public and settings.STORYBOARD_ALLOW_ANY_SANDBOX:
        found.append(Finding(NOTE, (
            "STORYBOARD_ALLOW_ANY_SANDBOX is on while other machines can reach this one: a "
            "sandbox account may point at any local port (docs/security.md)")))
    return found or [Finding(OK, "DEBUG and ALLOWED_HOSTS agree")]


def _accounts(flag: str):
    from storyboard.providers.registry import PROVIDERS
    from storyboard.teams.models import ProviderAccount

    dialects = [dialect for dialect, provider in PROVIDERS.items()
                if getattr(provider, flag, False)]
    return ProviderAccount.objects.filter(dialect__in=dialects).select_related("team")


def public_media() -> list[Finding]:
    if settings.STORYBOARD_PUBLIC_BASE_URL:
        return [Finding(OK, f"public media address: {settings.STORYBOARD_PUBLIC_BASE_URL}")]
    # Sandbox accounts fetch from studio's local address instead.
    needing = [a for a in _accounts("needs_public_media") if not a.sandbox]
    if not needing:
        return [Finding(OK, "no account needs a public media address")]
    named = ", ".join(f"{a.team.name}: {a.label}" for a in needing[:5])
    more = f" and {len(needing) - 5} more" if len(needing) > 5 else ""
    return [Finding(PROBLEM, (
        f"{len(needing)} account(s) fetch references by URL but STORYBOARD_PUBLIC_BASE_URL is "
        f"not set ({named}{more}): their jobs cannot send media; set it to the address where "
        "this install is reachable from the internet"))]


def _clock_skew(url: str, *, transport: httpx.BaseTransport | None) -> float:
    """Seconds the server's clock is ahead of ours (negative: behind), from its Date header."""
    from storyboard.providers.http import build_client, send

    with build_client(transport=transport,
                      timeout=CLOCK_TIMEOUT) as client:
        before = time.time()
        response = send(client, "HEAD", url, max_bytes=64 * 1024)
        after = time.time()
    date = response.headers.get("date")
    if not date:
        raise ValueError("its answer has no Date header")
    server = email.utils.parsedate_to_datetime(date).timestamp() + 0.5  # Date drops fractions
    return server - (before + after) / 2


def clock(transport: httpx.BaseTransport | None = None) -> list[Finding]:
    urls: dict[str, str] = {}
    # A sandbox account's server runs on this machine, with this machine's clock.
    for account in _accounts("clock_stamped_tokens").filter(sandbox=False):
        urls.setdefault(account.effective_base_url, account.label)
    if not urls:
        return [Finding(OK, "no account signs its requests with this machine's clock")]
    found = []
    for url, label in list(urls.items())[:CLOCK_URLS_AT_MOST]:
        try:
            skew = _clock_skew(url, transport=transport)
        except (httpx.HTTPError, OSError, ValueError, TypeError) as error:
            reason = str(error).split("\n")[0][:160] or type(error).__name__
            found.append(Finding(NOTE, f"clock: could not compare with {url} ({label}): "
                                       f"{reason} — not checked"))
            continue
        if -skew > CLOCK_AHEAD_LIMIT or skew > CLOCK_BEHIND_LIMIT:
            way = "ahead of" if skew < 0 else "behind"
            found.append(Finding(PROBLEM, (
                f"clock: this machine is {abs(skew):.0f} s {way} {url} ({label}): its tokens "
                f"are refused when the clock is more than {CLOCK_AHEAD_LIMIT} s ahead or expire "
                f"early when far behind; keep the clock in sync (NTP)")))
        else:
            found.append(Finding(OK, f"clock within {abs(skew):.1f} s of {url}"))
    return found


CONFIGURATION = (secret_key, credentials_key, debug_and_hosts, public_media, clock)


def findings(transport: httpx.BaseTransport | None = None) -> dict[str, list[Finding]]:
    return {
        "Health": health_findings(),
        "Configuration": [found for check in CONFIGURATION
                          for found in (check(transport) if check is clock else check())],
    }
