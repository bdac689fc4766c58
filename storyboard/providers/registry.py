"""Dialect name -> adapter class. Model choices and forms derive from this dict."""

from __future__ import annotations

from .apimart import ApimartProvider
from .base import Account, Provider
from .cometapi import CometapiProvider
from .kling import KlingProvider
from .useapi import UseapiProvider

PROVIDERS: dict[str, type[Provider]] = {
    "useapi": UseapiProvider,
    "kling": KlingProvider,
    "cometapi": CometapiProvider,
    "apimart": ApimartProvider,
}
LABELS = {"useapi": "useapi.net", "kling": "Kling (official API)", "cometapi": "CometAPI",
          "apimart": "APIMart"}
CREDENTIAL_LABELS = {"token": "API token", "email": "Kling account email",
                     "access_key": "Access key", "secret_key": "Secret key",
                     "api_key": "API key"}
OPTIONAL_CREDENTIALS = {("useapi", "email")}


def provider_for(account: Account, **kwargs) -> Provider:
    try:
        cls = PROVIDERS[account.dialect]
    except KeyError:
        raise ValueError(f"unknown dialect {account.dialect!r}; one of "
                         f"{', '.join(PROVIDERS)}") from None
    return cls(account, **kwargs)
