"""APIMart: the adapter, its credential field (adapter.py), the vendor's documented answers
(recorded.py) and the schema of the bodies it accepts (schema.py)."""

from .adapter import NEEDS_PUBLIC_URL, ApimartProvider, parse_task

PROVIDER = ApimartProvider

__all__ = ["NEEDS_PUBLIC_URL", "PROVIDER", "ApimartProvider", "parse_task"]
