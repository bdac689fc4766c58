"""Each dialect's credentials: bearer tokens, Kling's JWT codes and clock skew, useapi accounts."""

from __future__ import annotations

import time

import httpx
import pytest
from providers.sandbox_helpers import (
    APIMART_BODY,
    KLING_BODY,
    client,
    kling_token,
    running,
)

from storyboard.providers.sandbox import SANDBOX_CREDENTIALS


@pytest.fixture
def sandbox(tmp_path):
    with running(tmp_path) as sb:
        yield sb


def test_each_dialect_refuses_missing_or_wrong_credentials(sandbox):
    with httpx.Client(base_url=sandbox.url, trust_env=False, timeout=10) as c:
        r = c.post("/useapi/v1/kling/videos/omni", json={"prompt": "x"})
        assert r.status_code == 401 and "error" in r.json()
        r = c.post("/kling/v1/videos/omni-video", json=KLING_BODY)
        assert (r.status_code, r.json()["code"]) == (401, 1001)
        bad = {"Authorization": "Bearer nope"}
        r = c.post("/cometapi/kling/v1/videos/omni-video", json=KLING_BODY, headers=bad)
        assert r.status_code == 401 and set(r.json()["error"]) == {
            "message",
            "type",
            "param",
            "code",
        }
        r = c.post("/apimart/v1/videos/generations", json=APIMART_BODY, headers=bad)
        assert r.status_code == 401 and r.json()["error"]["message"]

@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("not-a-jwt", 1002),
        (kling_token()[:-3] + "AAA", 1002),  # badly signed
        (-3600, 1004),  # expired half an hour ago
        (600, 1003),  # nbf ten minutes ahead
    ],
)
def test_kling_checks_the_jwt_signature_and_times(sandbox, token, code):
    # Times are minted when the test runs, not when it is collected: on a long run the
    # "ten minutes ahead" of collection time had passed (a 200 instead of 401).
    if isinstance(token, int):
        token = kling_token(now=time.time() + token)
    with httpx.Client(base_url=sandbox.base_urls["kling"], trust_env=False) as c:
        r = c.get("/v1/videos/omni-video", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json()["code"] == code and r.json()["request_id"]

def test_kling_tolerates_a_few_seconds_of_clock_skew(sandbox):
    creds = SANDBOX_CREDENTIALS["kling"]
    from storyboard.providers.sandbox import mint_jwt

    token = mint_jwt(creds["access_key"], creds["secret_key"], now=time.time() - 1802)  # exp-2s
    with httpx.Client(base_url=sandbox.base_urls["kling"], trust_env=False) as c:
        r = c.get("/v1/videos/omni-video", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["code"] == 0

def test_useapi_refuses_an_unknown_account_email(sandbox):
    with client(sandbox, "useapi") as c:
        r = c.post("/videos/omni", json={"prompt": "x", "email": "someone@else"})
        assert r.status_code == 400 and "someone@else" in r.json()["error"]
        assert c.get("/accounts").json()["demo@sandbox.local"]["maxJobs"] >= 1
        assert c.get("/scheduler/available").json()["available"] >= 1
