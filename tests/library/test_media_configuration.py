"""A wrong media-serving setting stops the start with a message naming the variable; a media
server address is added to the pages' img-src and media-src (the CSP checks redirect targets)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(tmp_path, code="", **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STORYBOARD_MEDIA")}
    environment.update(STORYBOARD_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("env, message", [
    ({"STORYBOARD_MEDIA_MODE": "nginx"}, "STORYBOARD_MEDIA_MODE='nginx': expected one of"),
    ({"STORYBOARD_MEDIA_MODE": "media-server"}, "needs STORYBOARD_MEDIA_SERVER_URL"),
    ({"STORYBOARD_MEDIA_MODE": "s3-redirect"}, "needs STORYBOARD_S3_BUCKET"),
    ({"STORYBOARD_MEDIA_MODE": "accel", "STORYBOARD_S3_BUCKET": "clips"}, "use s3-redirect"),
    ({"STORYBOARD_MEDIA_ACCEL_HEADER": "X-Send"}, "STORYBOARD_MEDIA_ACCEL_HEADER='X-Send'"),
    ({"STORYBOARD_MEDIA_ACCEL_PREFIX": "internal"}, "STORYBOARD_MEDIA_ACCEL_PREFIX='internal'"),
    ({"STORYBOARD_MEDIA_LINK_SECONDS": "1"}, "STORYBOARD_MEDIA_LINK_SECONDS=1: must be at least"),
])
def test_a_bad_media_setting_stops_the_start(tmp_path, env, message):
    result = _load_settings(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_media_server_origin_may_be_shown_by_pages(tmp_path):
    result = _load_settings(
        tmp_path, "from django.conf import settings as s; d = s.CONTENT_SECURITY_POLICY"
        "['DIRECTIVES']; print(d['media-src'][-1], d['img-src'][-1], d['script-src'])",
        STORYBOARD_MEDIA_MODE="media-server",
        STORYBOARD_MEDIA_SERVER_URL="http://127.0.0.1:8001/")
    assert result.stdout.split() == [
        "http://127.0.0.1:8001", "http://127.0.0.1:8001", "[\"'self'\"]"], result.stderr
