"""CometAPI: the adapter (the official schema under /kling), its credential field and check
context (adapter.py) and the gateway's documented answers (recorded.py). Its bodies are the
official ones: kling/schema.py validates them."""

from .adapter import CometapiProvider

PROVIDER = CometapiProvider

__all__ = ["PROVIDER", "CometapiProvider"]
