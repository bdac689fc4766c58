"""Provider adapters: pure Python + httpx, no Django (architecture.md)."""
