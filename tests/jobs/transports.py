"""A transport between the worker and the sandbox that answers some calls itself — the way a
real vendor or network misbehaves — and forwards the rest, so one test sees both the fault and
the real sandbox's bookkeeping (how many tasks were created, which elements exist)."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from storyboard.jobs import worker
from storyboard.providers.http import build_client, checked_transport
from storyboard.providers.registry import provider_for

# A rule sees each request and the forwarding transport; it returns a response to answer with
# instead, or None to let the request through.
Rule = Callable[[httpx.Request, httpx.BaseTransport], httpx.Response | None]


class Faulty(httpx.BaseTransport):
    def __init__(self, *rules: Rule):
        self.inner = checked_transport(allow_loopback=True)
        self.rules = list(rules)
        self.calls: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path))
        for rule in self.rules:
            answer = rule(request, self.inner)
            if answer is not None:
                return answer
        return self.inner.handle_request(request)

    def count(self, method: str, test: Callable[[str], bool]) -> int:
        return sum(1 for m, path in self.calls if m == method and test(path))


def is_create(request: httpx.Request) -> bool:
    path = request.url.path
    return request.method == "POST" and path.endswith(("/videos/omni", "/omni-video"))


def is_lookup(job_id: str) -> Callable[[httpx.Request], bool]:
    return lambda request: request.method == "GET" and request.url.path.endswith(f"/{job_id}")


def times(n: int, rule: Rule) -> Rule:
    """`rule`, for the first n requests it answers; then everything goes through."""
    left = [n]

    def limited(request, inner):
        if left[0] <= 0:
            return None
        try:
            answer = rule(request, inner)
        except httpx.TransportError:  # the rule answered by failing the call
            left[0] -= 1
            raise
        if answer is not None:
            left[0] -= 1
        return answer
    return limited


def when(test: Callable[[httpx.Request], bool], answer: Callable) -> Rule:
    return lambda request, inner: answer(request, inner) if test(request) else None


def timeout_after_sending(request: httpx.Request, inner: httpx.BaseTransport):
    """The vendor got the call and acted on it; its answer never arrived."""
    response = inner.handle_request(request)
    response.read()
    response.close()
    raise httpx.ReadTimeout("timed out", request=request)


def timeout_before_arriving(request: httpx.Request, inner: httpx.BaseTransport):
    """The call was lost on the way (the client cannot tell it from the case above)."""
    raise httpx.ReadTimeout("timed out", request=request)


def connect_error(request: httpx.Request, inner: httpx.BaseTransport):
    raise httpx.ConnectError("connection refused", request=request)


def answer(status: int, body: dict) -> Callable:
    return lambda request, inner: httpx.Response(status, json=body)


def element_ids_sent(request: httpx.Request) -> list[str]:
    body = json.loads(request.content or b"{}")
    ids = [str(e.get("element_id")) for e in body.get("element_list") or []]
    return ids + [str(v) for k, v in body.items() if k.startswith("element_")
                  and isinstance(v, str)]


def missing_element(dialect: str) -> Callable:
    """The vendor's answer to a create naming an element it does not have (the shapes the
    providers' contract lists: useapi 404, the official API and CometAPI 400 code 1201)."""
    def reply(request, inner):
        gone = element_ids_sent(request)[0]
        if dialect == "useapi":
            return httpx.Response(404, json={"error": f"Element {gone} was not found",
                                             "code": 404})
        return httpx.Response(400, json={"code": 1201, "message": f"element_id {gone} does "
                                         "not exist", "request_id": "r-1", "data": None})
    return reply


def use(monkeypatch, transport: httpx.BaseTransport, **flags) -> None:
    """The worker's providers talk through `transport`; `flags` override adapter flags (such
    as idempotent_create) so a test states the vendor behaviour it relies on."""
    def provider_for_job(job, **kwargs):
        client = build_client(allow_loopback=True, transport=transport,
                              timeout=httpx.Timeout(5))
        provider = provider_for(job.account.as_provider_account(), client=client,
                                asset_cache=worker.AssetCache(job.account))
        for name, value in flags.items():
            setattr(provider, name, value)
        return provider
    monkeypatch.setattr(worker, "provider_for_job", provider_for_job)
