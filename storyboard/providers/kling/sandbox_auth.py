"""Kling's JWT (HS256), checked with the same PyJWT helpers the adapter mints with, answering
the documented codes: 1001 header empty, 1002 invalid, 1003 not yet valid, 1004 expired — all
HTTP 401."""

from __future__ import annotations

from typing import Any

from storyboard.providers import jwt_tokens
from storyboard.providers.jwt_tokens import mint as mint_jwt
from storyboard.providers.sandbox.web import ApiError, Request

__all__ = ["authenticate", "mint_jwt", "verify_jwt"]


def _invalid(why: str) -> ApiError:
    return ApiError(401, f"Authorization token invalid: {why}", code=1002)


MESSAGES = {1003: "Authorization token not yet valid", 1004: "Authorization token expired"}


def verify_jwt(
    token: str, access_key: str, secret_key: str, *, leeway: int = 5, now: float | None = None
) -> dict[str, Any]:
    """The token's claims, or ApiError(401) with the documented code."""
    try:
        return jwt_tokens.verify(token, access_key, secret_key, leeway=leeway, now=now)
    except jwt_tokens.TokenRejected as rejected:
        if rejected.code in MESSAGES:
            raise ApiError(401, MESSAGES[rejected.code], code=rejected.code) from None
        raise _invalid(rejected.reason) from None


def authenticate(req: Request, credentials: dict[str, str], leeway: int) -> None:
    value = req.header("Authorization").strip()
    if not value:
        raise ApiError(401, "Authorization header is empty", code=1001)
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _invalid("expected 'Bearer <JWT>'")
    verify_jwt(token.strip(), credentials["access_key"], credentials["secret_key"], leeway=leeway)
