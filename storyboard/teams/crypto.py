"""Provider credentials are stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class CredentialsUnreadable(Exception):
    """The stored credentials cannot be decrypted (the key changed or the row was tampered)."""


def _fernet() -> Fernet:
    key = hashlib.sha256(settings.STORYBOARD_CREDENTIALS_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_credentials(values: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_credentials(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        raise CredentialsUnreadable(
            "The saved credentials cannot be read (was STORYBOARD_CREDENTIALS_KEY changed?): "
            "enter them again."
        ) from None
