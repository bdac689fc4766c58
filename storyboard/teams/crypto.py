"""Secrets stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256): provider credentials, webhook
secrets — every model field whose name ends in `_encrypted` holds one of these tokens.

STORYBOARD_CREDENTIALS_KEY may hold several keys, comma-separated, newest first (MultiFernet):
the first encrypts, any of them decrypts. Rotation: put a new key first, run
`manage.py rotate_credentials_key` (re-encrypts every value with it), then drop the old one.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from storyboard import logs

ENCRYPTED_SUFFIX = "_encrypted"


class CredentialsUnreadable(Exception):
    """The stored credentials cannot be decrypted (the key changed or the row was tampered)."""


def configured_keys() -> list[str]:
    return [key.strip() for key in settings.STORYBOARD_CREDENTIALS_KEY.split(",") if key.strip()]


@functools.lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    # Any string is a key: its SHA-256 is the Fernet key, so an operator may use any
    # 32+ character secret their secret store makes.
    return MultiFernet([Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))
                        for key in keys])


def _fernet() -> MultiFernet:
    keys = configured_keys()
    if len(keys) > 1:
        # Before keys could be listed, a comma was an ordinary character of the one key: values
        # saved then are still read (decrypting only, last), rather than lost on upgrade.
        keys.append(settings.STORYBOARD_CREDENTIALS_KEY)
    return _fernet_for(tuple(keys))


def _newest_only() -> MultiFernet:
    return _fernet_for(tuple(configured_keys()[:1]))


def encrypt_credentials(values: dict[str, str]) -> str:
    logs.remember_secrets(values.values())
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_credentials(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        values = json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        raise CredentialsUnreadable(
            "The saved credentials cannot be read (was STORYBOARD_CREDENTIALS_KEY changed?): "
            "enter them again."
        ) from None
    # Whatever was decrypted may end up in an error message: the log filter hides it.
    logs.remember_secrets(values.values() if isinstance(values, dict) else ())
    return values


def readable(token: str, *, newest_only: bool = False) -> bool:
    """Does a configured key (or, `newest_only`, the first one) decrypt `token`?"""
    try:
        (_newest_only() if newest_only else _fernet()).decrypt(token.encode())
    except (InvalidToken, ValueError):
        return False
    return True


def reencrypt(token: str) -> str:
    """`token` encrypted again with the newest key; CredentialsUnreadable when no key reads it."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise CredentialsUnreadable("no configured key decrypts this value") from None


def encrypted_fields() -> list[tuple[type, str]]:
    """(model, field name) of every encrypted column in the project."""
    from django.apps import apps

    return [(model, field.name) for model in apps.get_models()
            for field in model._meta.get_fields()
            if getattr(field, "concrete", False) and field.name.endswith(ENCRYPTED_SUFFIX)]
