"""Kling's JWT (HS256) checked with the standard library, answering the documented codes:
1001 header empty, 1002 invalid, 1003 not yet valid, 1004 expired — all HTTP 401."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

from .web import ApiError, Request


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_jwt(
    access_key: str, secret_key: str, *, now: float | None = None, ttl: int = 1800, nbf: int = -5
) -> str:
    """A token like the official SDK's (iss = access key, exp = now+ttl, nbf = now+nbf)."""
    now = time.time() if now is None else now
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {"iss": access_key, "exp": int(now) + ttl, "nbf": int(now) + nbf}
    signing = ".".join(_b64encode(json.dumps(x).encode()) for x in (header, payload))
    sig = hmac.new(secret_key.encode(), signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{_b64encode(sig)}"


def _invalid(why: str) -> ApiError:
    return ApiError(401, f"Authorization token invalid: {why}", code=1002)


def verify_jwt(
    token: str, access_key: str, secret_key: str, *, leeway: int = 5, now: float | None = None
) -> dict[str, Any]:
    """The token's claims, or ApiError(401) with the documented code."""
    parts = token.split(".")
    if len(parts) != 3:
        raise _invalid("not a JWT")
    try:
        header = json.loads(_b64decode(parts[0]))
        claims = json.loads(_b64decode(parts[1]))
        sig = _b64decode(parts[2])
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _invalid("undecodable") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise _invalid("alg must be HS256")
    expected = hmac.new(
        secret_key.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256
    ).digest()
    if not hmac.compare_digest(sig, expected):
        raise _invalid("bad signature")
    if not isinstance(claims, dict) or claims.get("iss") != access_key:
        raise _invalid("unknown access key (iss)")
    now = time.time() if now is None else now
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise _invalid("exp missing")
    if now > exp + leeway:
        raise ApiError(401, "Authorization token expired", code=1004)
    if nbf is not None:
        if isinstance(nbf, bool) or not isinstance(nbf, int | float):
            raise _invalid("nbf not a number")
        if now < nbf - leeway:
            raise ApiError(401, "Authorization token not yet valid", code=1003)
    return claims


def authenticate(req: Request, credentials: dict[str, str], leeway: int) -> None:
    value = req.header("Authorization").strip()
    if not value:
        raise ApiError(401, "Authorization header is empty", code=1001)
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _invalid("expected 'Bearer <JWT>'")
    verify_jwt(token.strip(), credentials["access_key"], credentials["secret_key"], leeway=leeway)
