"""Provider adapters: pure Python + httpx, no Django (docs/architecture.md)."""
