"""Counters in the cache that limit what a guest's address may try on one link: password
attempts (against guessing) and comments (against flooding a team's review)."""

from __future__ import annotations

from django.core.cache import cache

PASSWORD_TRIES = 5
PASSWORD_WINDOW = 15 * 60  # seconds
COMMENTS = 20
COMMENT_WINDOW = 10 * 60


def _key(what: str, share, address: str | None) -> str:
    # The token's hash, not the row id: ids come round again (a test database), hashes do not.
    return f"share-limit:{what}:{share.token_hash[:32]}:{address or 'unknown'}"


def used(what: str, share, address: str | None) -> int:
    return cache.get(_key(what, share, address), 0)


def count(what: str, share, address: str | None, window: int) -> int:
    """Counts one more attempt; answers how many the window holds now."""
    key = _key(what, share, address)
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, window)
        return 1


def reset(what: str, share, address: str | None) -> None:
    cache.delete(_key(what, share, address))
