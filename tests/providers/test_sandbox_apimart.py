"""APIMart in the sandbox: list-shaped answers, string-or-list URLs, integer durations."""

from __future__ import annotations

import time

import pytest
from providers.sandbox_helpers import (
    APIMART_BODY,
    apimart_done,
    client,
    probe,
    running,
)


@pytest.fixture
def sandbox(tmp_path):
    with running(tmp_path) as sb:
        yield sb


def test_apimart_urls_alternate_between_string_and_list(sandbox):
    with client(sandbox, "apimart") as c:
        forms, urls = set(), []
        for prompt in ("one", "two"):
            created = c.post("/v1/videos/generations", json={**APIMART_BODY, "prompt": prompt})
            assert created.json()["code"] == 200
            item = created.json()["data"][0]
            assert item["status"] == "submitted" and item["task_id"].startswith("task_")
            video = apimart_done(c, item["task_id"])["data"]["result"]["videos"][0]
            assert video["expires_at"] > time.time()
            forms.add(type(video["url"]).__name__)
            urls.append(video["url"][0] if isinstance(video["url"], list) else video["url"])
        assert forms == {"str", "list"}
        assert probe(c.get(urls[0]).content)[0] == pytest.approx(3, abs=0.05)

@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"duration": "6"}, "integer"),
        ({"duration": 6.0}, "integer"),
        ({"image_urls": ["https://x/a.png"], "image_with_roles": []}, "mutually exclusive"),
        ({"image_with_roles": [{"url": "https://x/a.png", "role": "last_frame"}]}, "last_frame"),
        (
            {
                "video_list": [{"video_url": "https://x/v.mp4"}],
                "image_urls": [f"https://x/{i}.png" for i in range(5)],
            },
            "at most 4",
        ),
        (
            {"multi_shot": True, "multi_prompt": [{"index": 1, "prompt": "a", "duration": "3"}]},
            "integer",
        ),
        ({"prompt": ""}, "prompt is required"),
    ],
)
def test_apimart_validates_like_the_vendor(sandbox, change, text):
    with client(sandbox, "apimart") as c:
        r = c.post("/v1/videos/generations", json={**APIMART_BODY, **change})
    assert r.status_code == 400 and text in r.json()["error"]["message"]
