"""Kling's bearer tokens: HS256 JWTs with iss = access key, minted by the adapter and checked by
the sandbox — both through PyJWT, so the two cannot disagree about the format."""

from __future__ import annotations

import time
import warnings
from typing import TYPE_CHECKING, Any, TypeGuard

import jwt
from jwt.warnings import InsecureKeyLengthWarning

if TYPE_CHECKING:
    from jwt.types import Options

# The secret key is issued by the vendor: its length is not ours to choose.
warnings.filterwarnings("ignore", category=InsecureKeyLengthWarning)

TOKEN_LIFETIME = 1800  # seconds; the adapter re-mints well before this
CLOCK_SKEW = 5  # nbf in the past, for servers whose clock runs a little ahead


class TokenRejected(Exception):
    """The token is not acceptable. ``code``: Kling's documented code (1002 invalid, 1003 not
    yet valid, 1004 expired)."""

    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def mint(access_key: str, secret_key: str, *, now: float | None = None,
         ttl: int = TOKEN_LIFETIME, nbf: int = -CLOCK_SKEW) -> str:
    now = time.time() if now is None else now
    claims = {"iss": access_key, "exp": int(now) + ttl, "nbf": int(now) + nbf}
    return jwt.encode(claims, secret_key, algorithm="HS256", headers={"typ": "JWT"})


def verify(token: str, access_key: str, secret_key: str, *, leeway: int = CLOCK_SKEW,
           now: float | None = None) -> dict[str, Any]:
    """The token's claims, or TokenRejected with the code the official API answers."""
    options: Options = {"require": ["exp", "iss"], "verify_exp": False, "verify_nbf": False}
    try:
        claims = jwt.decode(token, secret_key, algorithms=["HS256"], issuer=access_key,
                            options=options)
    except jwt.InvalidIssuerError:
        raise TokenRejected(1002, "unknown access key (iss)") from None
    except jwt.InvalidTokenError as error:
        raise TokenRejected(1002, _plain(error)) from None
    # Time claims checked here rather than by PyJWT, to tell "expired" from "not yet valid"
    # with the codes the vendor uses, against the caller's clock (tests pass one).
    now = time.time() if now is None else now
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if not _number(exp):
        raise TokenRejected(1002, "exp is not a number")
    if now > exp + leeway:
        raise TokenRejected(1004, "expired")
    if nbf is not None:
        if not _number(nbf):
            raise TokenRejected(1002, "nbf is not a number")
        if now < nbf - leeway:
            raise TokenRejected(1003, "not yet valid")
    return claims


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _plain(error: Exception) -> str:
    if isinstance(error, jwt.InvalidSignatureError):
        return "bad signature"
    if isinstance(error, jwt.InvalidAlgorithmError):
        return "alg must be HS256"
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"{error.claim} missing"
    return "not a valid JWT"
