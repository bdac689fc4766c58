"""Sandbox configuration and the credentials it accepts (docs/providers.md; docs/architecture.md,
“The sandbox”).

The credentials are public on purpose: the ``studio`` command creates one demo account per
dialect with :data:`SANDBOX_CREDENTIALS`, and the sandbox accepts nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DIALECTS = ("useapi", "kling", "cometapi", "apimart")

# Where each dialect lives under the sandbox's root URL; an account's base URL is
# ``http://HOST:PORT`` + this prefix (the adapters append the vendor's own paths).
BASE_PATHS = {
    "useapi": "/useapi/v1/kling",
    "kling": "/kling",
    "cometapi": "/cometapi",
    "apimart": "/apimart",
}

SANDBOX_CREDENTIALS: dict[str, dict[str, str]] = {
    "useapi": {"token": "sandbox-useapi-token", "email": "demo@sandbox.local"},  # noqa: S105
    "kling": {"access_key": "sandbox-access-key", "secret_key": "sandbox-secret-key"},
    "cometapi": {"api_key": "sandbox-cometapi-key"},
    "apimart": {"api_key": "sandbox-apimart-key"},
}


def base_urls(root: str) -> dict[str, str]:
    """The four base URLs for a sandbox answering at ``root`` (``http://127.0.0.1:8765``)."""
    root = root.rstrip("/")
    return {dialect: root + path for dialect, path in BASE_PATHS.items()}


def _default_credentials() -> dict[str, dict[str, str]]:
    return {d: dict(c) for d, c in SANDBOX_CREDENTIALS.items()}


@dataclass
class SandboxConfig:
    data_dir: Path = Path("var/sandbox")
    # seconds from create to the final state; submitted for the first third, then processing
    delay: float = 3.0
    # the long side of the rendered MP4 (the short side follows the aspect ratio); small keeps
    # renders fast, the adapters only care that it is a real MP4 of the right length
    render_size: tuple[int, int] = (320, 180)
    render_workers: int = 2
    slow_seconds: float = 5.0
    retry_after: int = 2  # the Retry-After of every simulated 429
    jwt_leeway: int = 5  # seconds of clock skew allowed on kling's exp/nbf
    credentials: dict[str, dict[str, str]] = field(default_factory=_default_credentials)
    # more useapi account emails the token may select (the credentials' email is always known)
    useapi_emails: tuple[str, ...] = ()
    useapi_vip: bool = True  # the demo Kling account behind useapi has a VIP plan
    # per-account faults: {"kling": {"429": 2}} = the next two kling creates carry [sandbox:429]
    faults: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    # concurrency per dialect (non-final video tasks); over it: useapi/cometapi/apimart 429,
    # kling code 1303. None = unlimited.
    max_jobs: int | None = None
    cometapi_wrapped: bool = False  # answer cometapi polls in the wrapped form
    apimart_url_form: str = "alternate"  # "alternate" (by task parity), "list" or "string"
    latency: float = 0.0  # added to every create and poll answer (poll-sweep benchmark: 0.2)
    callback_timeout: float = 2.0
    callback_retries: int = 3
    public_url: str | None = None  # root URL in answers; default: the request's Host
    max_json_bytes: int = 20 * 1024 * 1024  # kling images may come as base64 in the body
    # render_animatic-compatible callable; None = storyboard.providers.animatic.render_animatic
    renderer: Callable[..., Any] | None = None
    quiet: bool = False  # no access log

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        if self.apimart_url_form not in ("alternate", "list", "string"):
            raise ValueError("apimart_url_form must be alternate, list or string")

    @property
    def useapi_accounts(self) -> tuple[str, ...]:
        first = self.credentials["useapi"]["email"]
        return (first, *(e for e in self.useapi_emails if e != first))
