"""The vendors, one package each: `storyboard/providers/<name>/` exposes PROVIDER, its adapter
class, which carries the vendor's label, credential fields and check context. Adding a vendor
= its folder + one line in VENDOR_PACKAGES (README: "Adding a provider")."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .base import Account, CredentialField, Provider

VENDOR_PACKAGES = (
    "useapi",
    "kling",
    "cometapi",
    "apimart",
)

PROVIDERS: dict[str, type[Provider]] = {
    cls.dialect: cls for cls in (import_module(f"{__package__}.{name}").PROVIDER
                                 for name in VENDOR_PACKAGES)
}
LABELS = {dialect: cls.label for dialect, cls in PROVIDERS.items()}


def provider_for(account: Account, **kwargs: Any) -> Provider:
    try:
        cls = PROVIDERS[account.dialect]
    except KeyError:
        raise ValueError(f"unknown dialect {account.dialect!r}; one of "
                         f"{', '.join(PROVIDERS)}") from None
    return cls(account, **kwargs)


def credential_names() -> list[str]:
    """Every credential name any vendor uses, once, in registry order."""
    names: list[str] = []
    for cls in PROVIDERS.values():
        names += [f.name for f in cls.credentials if f.name not in names]
    return names


def credential_users(name: str) -> list[tuple[type[Provider], CredentialField]]:
    """The vendors that use the credential ``name``, each with its field."""
    return [(cls, f) for cls in PROVIDERS.values() for f in cls.credentials if f.name == name]


def check_context_fields(account: Any) -> dict[str, Any]:
    """Every vendor's part of the rules' CheckContext for the selected account, merged
    (mapping fields such as ``element_ids`` are merged key by key)."""
    merged: dict[str, Any] = {}
    for cls in PROVIDERS.values():
        for key, value in cls.check_context(account).items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged
