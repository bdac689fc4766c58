"""Media on a real S3 API: moto's standalone server, which .ci/run starts on loopback for its
PostgreSQL pass and names in STORYBOARD_TEST_S3_ENDPOINT. Tests marked `s3` need it. Without the
variable they are deselected at collection (counted in pytest's summary and named in a line of
their own), so a run without a server neither fails on them nor reports them as skipped; the
SQLite pass of .ci/run deselects them explicitly with `-m "not s3"`.

The S3 settings come from storyboard/settings.py itself (STORYBOARD_S3_* read in a child
process), so the tests use what an operator's environment gives, not a copy of it."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

ENDPOINT = os.environ.get("STORYBOARD_TEST_S3_ENDPOINT", "").rstrip("/")
ROOT = Path(__file__).resolve().parents[1]
# moto accepts any credentials; these only have to be the same on both sides.
ACCESS_KEY, SECRET_KEY, REGION = "storyboard-test", "storyboard-test-secret", "us-east-1"
PREFIX = "media"


def deselect_without_server(config, items) -> None:
    """pytest_collection_modifyitems: drops the `s3` tests when no S3 server is named."""
    if ENDPOINT:
        return
    s3 = [item for item in items if item.get_closest_marker("s3")]
    if not s3:
        return
    items[:] = [item for item in items if not item.get_closest_marker("s3")]
    config.hook.pytest_deselected(items=s3)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"s3: {len(s3)} tests deselected: they need an S3 server "
            "(STORYBOARD_TEST_S3_ENDPOINT; .ci/run starts moto's on loopback)")


def environment(bucket: str) -> dict[str, str]:
    """The variables that put a process's media in `bucket` (docs/configuration.md)."""
    return {"STORYBOARD_S3_BUCKET": bucket, "STORYBOARD_S3_ENDPOINT_URL": ENDPOINT,
            "STORYBOARD_S3_REGION": REGION, "STORYBOARD_S3_ACCESS_KEY": ACCESS_KEY,
            "STORYBOARD_S3_SECRET_KEY": SECRET_KEY, "STORYBOARD_S3_PREFIX": PREFIX}


_default_storage: dict | None = None


def default_storage_setting(bucket: str, var_dir: Path) -> dict:
    """settings.STORAGES["default"] as storyboard/settings.py builds it for `bucket`."""
    global _default_storage
    if _default_storage is None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("STORYBOARD_S3_")}
        env.update(environment("placeholder-bucket"), STORYBOARD_VAR_DIR=str(var_dir),
                   PYTHONPATH=str(ROOT))
        done = subprocess.run(
            [sys.executable, "-c", "import json, storyboard.settings as s; "
             "print(json.dumps(s.STORAGES['default']))"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
        _default_storage = json.loads(done.stdout)
    setting = json.loads(json.dumps(_default_storage))
    setting["OPTIONS"]["bucket_name"] = bucket
    return setting


def client():
    import boto3

    return boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION,
                        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)


@contextlib.contextmanager
def fresh_bucket() -> Iterator[str]:
    """A new empty bucket, removed with everything in it afterwards."""
    s3 = client()
    name = f"storyboard-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    try:
        yield name
    finally:
        for key in objects(name):
            s3.delete_object(Bucket=name, Key=key)
        s3.delete_bucket(Bucket=name)


def objects(bucket: str) -> dict[str, int]:
    """key -> size of every object in `bucket`."""
    found: dict[str, int] = {}
    for page in client().get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            found[item["Key"]] = item["Size"]
    return found


def key(name: str) -> str:
    """The object key of a stored file name."""
    return f"{PREFIX}/{name}"
