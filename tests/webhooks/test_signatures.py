"""The signature as a receiver checks it: with the function docs/webhooks.md gives receivers
(run from the page itself), and with the project's own reference (signing.verify)."""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

import pytest

from storyboard.webhooks import signing

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
SECRET = "whsec_test-secret"
BODY = b'{"event":"clip.ready","id":"d1","data":{"job":{"id":"j1"}}}'
NOW = 1_760_000_000


def documented_verify():
    """The receiver's function exactly as the documentation prints it."""
    text = DOCS.read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S)
                 if "def verify_storyboard_signature" in b)
    namespace: dict = {}
    exec(compile(block, str(DOCS), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_storyboard_signature"]


def sent(secret=SECRET, body=BODY, timestamp=NOW) -> dict[str, str]:
    return signing.signed_headers(secret, body, timestamp=timestamp)


def test_what_is_signed_is_the_timestamp_a_dot_and_the_raw_body():
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sent() == {"X-Storyboard-Timestamp": str(NOW),
                      "X-Storyboard-Signature": f"sha256={expected}"}


@pytest.fixture(params=["documented", "reference"])
def receiver_check(request):
    """(secret, body, timestamp header, signature header, now) -> accepted?"""
    if request.param == "documented":
        verify = documented_verify()
        return lambda *args, now: verify(*args, now=now)

    def reference(*args, now):
        try:
            signing.verify(*args, now=now)
        except signing.SignatureInvalid:
            return False
        return True
    return reference


def check(receiver_check, headers, *, secret=SECRET, body=BODY, now=NOW + 2):
    return receiver_check(secret, body, headers.get("X-Storyboard-Timestamp"),
                          headers.get("X-Storyboard-Signature"), now=now)


def test_a_receiver_accepts_a_delivery_signed_with_its_secret(receiver_check):
    assert check(receiver_check, sent())


def test_a_receiver_refuses_a_wrong_secret(receiver_check):
    assert not check(receiver_check, sent(secret="whsec_another"))


def test_a_receiver_refuses_a_changed_body(receiver_check):
    assert not check(receiver_check, sent(), body=BODY.replace(b"j1", b"j2"))
    assert not check(receiver_check, sent(), body=BODY + b" ")


def test_a_receiver_refuses_a_timestamp_older_than_five_minutes(receiver_check):
    assert check(receiver_check, sent(), now=NOW + 300)
    assert not check(receiver_check, sent(), now=NOW + 301)


def test_a_receiver_refuses_a_replay_with_a_fresh_timestamp(receiver_check):
    replayed = {**sent(), "X-Storyboard-Timestamp": str(NOW + 600)}
    assert not check(receiver_check, replayed, now=NOW + 600)


@pytest.mark.parametrize("headers", [{}, {"X-Storyboard-Timestamp": str(NOW)},
                                     {"X-Storyboard-Timestamp": "soon",
                                      "X-Storyboard-Signature": "sha256=00"},
                                     {"X-Storyboard-Timestamp": str(NOW),
                                      "X-Storyboard-Signature": "sha256=00"}])
def test_a_receiver_refuses_missing_or_malformed_headers(receiver_check, headers):
    assert not check(receiver_check, headers)


def test_a_new_secret_is_long_and_different_each_time():
    first, second = signing.new_secret(), signing.new_secret()
    assert first != second and first.startswith("whsec_") and len(first) > 40
