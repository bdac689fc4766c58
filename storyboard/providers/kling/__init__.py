"""Kling's official API: the adapter, its credential fields (adapter.py), the vendor's documented
answers (recorded.py) and the schemas of the bodies it accepts (schema.py)."""

from .adapter import ERROR_CODES, TAG_IDS, KlingProvider, mint_jwt, parse_official

PROVIDER = KlingProvider

__all__ = ["ERROR_CODES", "PROVIDER", "TAG_IDS", "KlingProvider", "mint_jwt", "parse_official"]
