"""A Django test client for /api/v1/ that sends a token."""

from __future__ import annotations

from django.test import Client


class Api:
    """A Django test client speaking to /api/v1/ with one token (None: no Authorization)."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.token = token

    def _headers(self, headers):
        out = dict(headers or {})
        if self.token is not None:
            out.setdefault("Authorization", f"Bearer {self.token}")
        return out

    def get(self, path, params=None, headers=None):
        return self.client.get(f"/api/v1{path}", params, headers=self._headers(headers))

    def post(self, path, json=None, headers=None, **kw):
        if "data" in kw:  # multipart
            return self.client.post(f"/api/v1{path}", kw["data"],
                                    headers=self._headers(headers))
        return self.client.post(f"/api/v1{path}", json if json is not None else {},
                                content_type="application/json",
                                headers=self._headers(headers))

    def put(self, path, json=None, headers=None):
        return self.client.put(f"/api/v1{path}", json, content_type="application/json",
                               headers=self._headers(headers))

    def delete(self, path, headers=None):
        return self.client.delete(f"/api/v1{path}", headers=self._headers(headers))
