"""A transport that replays vendor answers (architecture habit 3: tests inject a transport instead
of patching), and the storyboards the adapter tests send. The answers themselves live beside
each adapter: storyboard/providers/<vendor>/recorded.py."""

from __future__ import annotations

import json

import httpx

from storyboard.providers.base import Account
from storyboard.providers.registry import provider_for
from storyboard.rules import Attachment, Settings, Shot, Storyboard, Target


def answer(status: int, body=None, headers=None) -> httpx.Response:
    return httpx.Response(status, json=body if body is not None else {}, headers=headers)


class Replay:
    """Answers requests from a script of (method, path suffix) -> response, and records them."""

    def __init__(self, routes: dict[tuple[str, str], list | httpx.Response]):
        self.routes = {k: v if isinstance(v, list) else [v] for k, v in routes.items()}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for (method, suffix), answers in self.routes.items():
            if request.method == method and request.url.path.endswith(suffix):
                return answers.pop(0) if len(answers) > 1 else answers[0]
        return answer(599, {"error": f"unexpected {request.method} {request.url}"})

    def bodies(self) -> list:
        return [json.loads(r.content) for r in self.requests if r.content and
                r.headers.get("content-type", "").startswith("application/json")]


def provider(dialect: str, replay: Replay, **credentials):
    defaults = {"useapi": {"token": "tok", "email": "me@example.com"},
                "kling": {"access_key": "ak", "secret_key": "sk"},
                "cometapi": {"api_key": "key"}, "apimart": {"api_key": "key"}}[dialect]
    account = Account(dialect, "", {**defaults, **credentials}, label="test")
    client = httpx.Client(transport=httpx.MockTransport(replay))
    return provider_for(account, client=client)


def two_shot_kitchen(dialect: str = "useapi") -> Storyboard:
    return Storyboard(
        settings=Settings(mode="pro", aspect_ratio="16:9", multi_shot=True),
        target=Target(dialect, "v3"),
        shots=(Shot("Cinematic medium shot, a chef @image_1", 3),
               Shot("The chef flips the food @image_1", 3)),
        attachments={"image_1": Attachment("https://example.com/kitchen.jpg")},
    )
