"""The sandbox: an offline simulator of the four Kling Omni vendor APIs (docs/architecture.md, “The
sandbox”).

Standard library only (plus :mod:`storyboard.rules` and, for finished videos, the animatic
renderer); no Django. Run it with ``python -m storyboard.providers.sandbox --port 8765`` or
in-process with :func:`serve_in_thread`. Base URLs: :func:`base_urls`; accepted credentials:
:data:`SANDBOX_CREDENTIALS`; fault keywords: :data:`FAULTS`.
"""

from storyboard.providers.kling.sandbox_auth import mint_jwt, verify_jwt

from .app import SandboxApp, make_app
from .config import BASE_PATHS, DIALECTS, SANDBOX_CREDENTIALS, SandboxConfig, base_urls
from .faults import FAULTS
from .server import RunningSandbox, main, serve_in_thread

__all__ = [
    "BASE_PATHS",
    "DIALECTS",
    "FAULTS",
    "SANDBOX_CREDENTIALS",
    "RunningSandbox",
    "SandboxApp",
    "SandboxConfig",
    "base_urls",
    "main",
    "make_app",
    "mint_jwt",
    "serve_in_thread",
    "verify_jwt",
]
