"""Provider accounts: create, change, test, remove. Shared by the Team settings pages and the
`accounts` command, so both apply the same checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from storyboard.audit import actions as audit
from storyboard.providers import http
from storyboard.providers.base import ProviderError
from storyboard.providers.registry import PROVIDERS, provider_for
from storyboard.teams.crypto import CredentialsUnreadable, encrypt_credentials
from storyboard.teams.models import ProviderAccount, Team

MAX_JOBS_LIMIT = 50
CREDENTIAL_MAX = 500


class AccountError(Exception):
    """Refused for a reason the user should read; nothing was saved."""


@dataclass
class AccountInput:
    dialect: str
    label: str
    credentials: dict[str, str]
    base_url: str = ""
    max_jobs: int = 2
    vip: bool = False
    sandbox: bool = False


# Characters no URL a vendor documents contains; pasted ones (a space, a line break) would make
# every later call fail far from where the mistake was made.
_URL_JUNK = re.compile(r"[\s\x00-\x1f\x7f\\<>\"{}|^`]")
BASE_URL_MAX = 300


def _checked_base_url(url: str):
    if len(url) > BASE_URL_MAX:
        raise AccountError(f"Base URL: at most {BASE_URL_MAX} characters "
                           f"(this one has {len(url)}).")
    junk = _URL_JUNK.search(url)
    if junk:
        what = "a space or line break" if junk.group().isspace() else f"{junk.group()!r}"
        raise AccountError(f"Base URL: contains {what}; paste the address alone, e.g. "
                           "https://api.example.com.")
    parts = urlsplit(url)
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise AccountError("Base URL: the address only, without ?query or #fragment.")
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
        if parts.hostname:
            parts.hostname.encode("idna")
    except (ValueError, UnicodeError):
        raise AccountError("Base URL: the host or port is not valid (the port is a number "
                           "from 1 to 65535).") from None
    return parts


def sandbox_refusal(base_url: str) -> str:
    """Why an account marked sandbox may not use `base_url`; "" when it may. Only the sandbox
    this server runs counts (STORYBOARD_SANDBOX_URL), unless the operator allows any."""
    if http.at_sandbox(base_url):
        return ""
    root = http.sandbox_root()
    if not root:
        return ("Base URL: this server runs no sandbox, so an account marked sandbox cannot be "
                "used; untick Sandbox and enter the vendor's https:// address.")
    return (f"Base URL: an account marked sandbox must point at this server's sandbox, "
            f"{root}; {base_url or 'an empty base URL'} is not under it.")


def _clean(data: AccountInput, *, existing: ProviderAccount | None = None) -> dict[str, str]:
    if data.dialect not in PROVIDERS:
        raise AccountError(f"Dialect: choose one of {', '.join(PROVIDERS)}.")
    data.label = data.label.strip()
    if not data.label:
        raise AccountError("Label: enter a name for this account.")
    if len(data.label) > 60:
        raise AccountError(f"Label: at most 60 characters (this one has {len(data.label)}).")
    if not 1 <= data.max_jobs <= MAX_JOBS_LIMIT:
        raise AccountError(f"Concurrent jobs: between 1 and {MAX_JOBS_LIMIT} "
                           f"(got {data.max_jobs}).")
    vendor = PROVIDERS[data.dialect]
    if data.vip and not vendor.vip_plan:
        with_plan = " and ".join(c.label for c in PROVIDERS.values() if c.vip_plan)
        raise AccountError(f"VIP: only {with_plan} accounts have a VIP plan.")
    data.base_url = data.base_url.strip().rstrip("/")
    parts = _checked_base_url(data.base_url) if data.base_url else None
    if parts and (parts.username or parts.password):
        raise AccountError("Base URL: must not contain a user name or password.")
    refused = sandbox_refusal(data.base_url) if data.sandbox else ""
    if refused:
        raise AccountError(refused)
    if parts and data.sandbox:  # this server's sandbox, or any under the operator's override
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AccountError("Base URL: must start with http:// or https:// and name a host.")
    elif parts and (parts.scheme != "https" or not parts.hostname):
        raise AccountError("Base URL: must start with https:// (http:// only for this "
                           "server's sandbox) and name a host.")
    previous = existing.credentials() if existing and existing.dialect == data.dialect else {}
    merged = {}
    for field in vendor.credentials:
        value = (data.credentials.get(field.name) or "").strip()
        if len(value) > CREDENTIAL_MAX:
            raise AccountError(f"{field.label}: at most {CREDENTIAL_MAX} characters.")
        # A secret is never shown again, so an empty box keeps it; the other fields are shown
        # filled in, so what comes back is what the user wants (empty clears it).
        merged[field.name] = value if not field.secret else value or previous.get(field.name, "")
        if not merged[field.name] and field.required:
            raise AccountError(f"{field.label}: required for {vendor.label} accounts.")
    return merged


# What the audit log says about an account: its settings, never its credentials.
_LOGGED = ("dialect", "label", "base_url", "max_jobs", "vip", "sandbox")


def add_account(team: Team, data: AccountInput) -> ProviderAccount:
    credentials = _clean(data)
    try:
        with transaction.atomic():
            account = ProviderAccount.objects.create(
                team=team, dialect=data.dialect, label=data.label, base_url=data.base_url,
                max_jobs=data.max_jobs, vip=data.vip, sandbox=data.sandbox,
                credentials_encrypted=encrypt_credentials(credentials))
            audit.record(audit.Kind.ACCOUNT_ADDED, team=team, target=account,
                         details={name: getattr(account, name) for name in _LOGGED})
            return account
    except IntegrityError:
        raise AccountError(f"Label: {team.name} already has an account called "
                           f"{data.label!r}.") from None


def change_account(account: ProviderAccount, data: AccountInput) -> ProviderAccount:
    """Blank credential fields keep the saved values (they are never shown again)."""
    try:
        previous = account.credentials()
    except CredentialsUnreadable:
        previous = {}
    credentials = _clean(data, existing=account) if previous else _clean(data)
    before = {name: getattr(account, name) for name in _LOGGED}
    account.dialect, account.label = data.dialect, data.label
    account.base_url, account.max_jobs = data.base_url, data.max_jobs
    account.vip, account.sandbox = data.vip, data.sandbox
    account.credentials_encrypted = encrypt_credentials(credentials)
    account.tested_at, account.test_ok, account.test_message = None, None, ""
    changed = {name: [before[name], getattr(account, name)] for name in _LOGGED
               if before[name] != getattr(account, name)}
    # Which credential fields got a new value: their names only.
    renewed = [field.label for field in PROVIDERS[account.dialect].credentials
               if credentials.get(field.name, "") != previous.get(field.name, "")]
    try:
        with transaction.atomic():
            account.save()
            audit.record(audit.Kind.CREDENTIALS_CHANGED if renewed
                         else audit.Kind.ACCOUNT_CHANGED, team=account.team_id, target=account,
                         details={"changed": changed, "renewed": renewed})
    except IntegrityError:
        raise AccountError(f"Label: {account.team.name} already has an account called "
                           f"{data.label!r}.") from None
    return account


def remove_account(account: ProviderAccount) -> None:
    """Refused while any job of the account is not final: the worker needs the account to send
    it, follow it and fetch its clip (the worker still ends a job whose account vanished anyway,
    through a race or the admin, as "the account was removed")."""
    # Imported here: the jobs app builds on teams' models, so teams may not import it at module
    # level.
    from storyboard.jobs.models import FINAL

    with transaction.atomic():
        # Locked like the worker locks it when it counts the account's jobs for its limit.
        if not ProviderAccount.objects.select_for_update().filter(pk=account.pk).exists():
            return  # removed meanwhile: what was asked is done
        running = account.jobs.exclude(state__in=FINAL)
        count = running.count()
        if count:
            raise AccountError(running_jobs_text(
                count, list(running.select_related("storyboard").order_by("created_at")[:5])))
        audit.record(audit.Kind.ACCOUNT_REMOVED, team=account.team_id, target=account,
                     details={"dialect": account.dialect, "label": account.label})
        account.delete()


def running_jobs_text(count: int, shown: list) -> str:
    """“2 jobs still use this account: “Kitchen” (processing), …; cancel them or wait.”"""
    names = ", ".join(f"“{job.storyboard.title if job.storyboard else job.title}” "
                      f"({job.get_state_display().lower()})" for job in shown)
    more = f" and {count - len(shown)} more" if count > len(shown) else ""
    jobs = "1 job still uses" if count == 1 else f"{count} jobs still use"
    return (f"{jobs} this account: {names}{more}. Cancel them or wait until they finish, then "
            "remove the account.")


def check_connection(account: ProviderAccount, **provider_kwargs) -> tuple[bool, str]:
    """One harmless call with the saved credentials; the outcome is stored on the account."""
    # Checked again at call time: an account saved before the rule, or before the sandbox
    # moved, must not reach another local port through its sandbox flag.
    refused = sandbox_refusal(account.base_url) if account.sandbox else ""
    try:
        if refused:
            ok, message = False, refused
        else:
            provider = provider_for(account.as_provider_account(), **provider_kwargs)
            ok, message = True, provider.test_connection()
    except CredentialsUnreadable as error:
        ok, message = False, str(error)
    except ProviderError as error:
        ok, message = False, f"Failed ({error.kind.value}): {error.message}"
    message = message[:500]
    ProviderAccount.objects.filter(pk=account.pk).update(
        tested_at=timezone.now(), test_ok=ok, test_message=message)
    account.tested_at, account.test_ok, account.test_message = timezone.now(), ok, message
    return ok, message
