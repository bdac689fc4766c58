"""The shapes of secret the log filter hides wherever they appear in a line, and what it keeps."""

from __future__ import annotations

import pytest

from storyboard import logs

R = logs.REDACTED


@pytest.mark.parametrize("line, secret", [
    ("sending Authorization: Bearer abcdef123456.xyz", "abcdef123456.xyz"),
    ("headers={'authorization': 'Token t0p-s3cret-value'}", "t0p-s3cret-value"),
    ("{'x-api-key': 'live-key-1234567'}", "live-key-1234567"),
    ("Cookie: sessionid=q1w2e3r4t5y6; csrftoken=abc", "q1w2e3r4t5y6"),
    ("token sbt_Sg6zAbCdEf0123456789 refused", "sbt_Sg6zAbCdEf0123456789"),
    ("webhook whsec_au0UTFWZcwJr9DBKn-moe", "whsec_au0UTFWZcwJr9DBKn-moe"),
    ("vendor key sk-abcdefghijklmnop0123", "sk-abcdefghijklmnop0123"),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhayJ9.c2lnbmF0dXJl", "c2lnbmF0dXJl"),
    ("POST body: username=ana&password=hunter2hunter2&next=/", "hunter2hunter2"),
    ('{"api_key": "apimart-live-000111", "model": "v3"}', "apimart-live-000111"),
    ("connecting to postgres://app:db-pass-99@db.internal:5432/x", "db-pass-99"),
    ("GET /s/Zq9secretsharetoken/ 200", "Zq9secretsharetoken"),
    ("GET /team/join/inv-token-abcdef/ 302", "inv-token-abcdef"),
    ("POST /jobs/hook/6f1c2a3b-1111-4222-8333-444455556666/cb-secret-xyz/ 200",
     "cb-secret-xyz"),
    ("https://bucket.s3/x.mp4?X-Amz-Signature=abcdef0123456789&X-Amz-Expires=60",
     "abcdef0123456789"),
])
def test_each_shape_is_hidden(line, secret):
    hidden = logs.redact(line)
    assert secret not in hidden and R in hidden


def test_a_remembered_value_is_hidden_in_any_shape():
    logs.remember_secrets(["plain-vendor-key-0042"])
    assert logs.redact("the vendor said: key plain-vendor-key-0042 is invalid") == (
        f"the vendor said: key {R} is invalid")


def test_ordinary_text_is_kept():
    line = "job 1a2b3c: create failed: the prompt is too long (2501 of 2500 characters)"
    assert logs.redact(line) == line
    logs.remember_secrets(["short"])  # too short to be told from ordinary words: not hidden
    assert logs.redact("a short prompt") == "a short prompt"
