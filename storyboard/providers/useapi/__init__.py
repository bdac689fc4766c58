"""useapi.net: the adapter, its credential fields and check context (adapter.py), the vendor's
documented answers (recorded.py) and the schema of the bodies it accepts (schema.py)."""

from .adapter import POLL_404, UseapiProvider, parse_task

PROVIDER = UseapiProvider

__all__ = ["POLL_404", "PROVIDER", "UseapiProvider", "parse_task"]
