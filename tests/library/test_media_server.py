"""Media bytes handed off after the permission check (STORYBOARD_MEDIA_MODE): the views redirect
signed-in members to a short-lived signed link on the media server (which honours Range, the
signed type, nosniff, and nothing unsigned, expired, tampered or outside MEDIA_ROOT), or hand the
file to nginx/Apache, or to a presigned S3 URL."""

import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from django.core import signing
from library.media_factory import make_image, make_video, video_bytes
from library.media_server_runner import running_media_server

from storyboard import media_server

pytestmark = pytest.mark.django_db
BROWSER_HOST = "127.0.0.1:8000"  # a browser on this machine, as with studio's defaults


@pytest.fixture
def media(settings):
    """The media server serving the test MEDIA_ROOT; the views redirect to it."""
    with running_media_server(Path(settings.MEDIA_ROOT)) as url:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
        settings.STORYBOARD_MEDIA_MODE = "media-server"
        settings.STORYBOARD_MEDIA_SERVER_URL = url
        yield url


def _follow(client, url, **headers):
    """The view's answer and, when it redirects, what the media server answers."""
    first = client.get(url, HTTP_HOST=BROWSER_HOST,
                       **{f"HTTP_{k.upper()}": v for k, v in headers.items()})
    if first.status_code != 302:
        return first, None
    return first, httpx.get(first["Location"], headers=headers, timeout=10)


def test_a_member_is_redirected_to_a_signed_link_that_serves_ranges(cast, client_for, media):
    video = make_video(cast.team_a)
    data = video_bytes()
    first, second = _follow(client_for(cast.viewer), f"/library/videos/{video.pk}/file",
                            range="bytes=100-199")
    assert first.status_code == 302 and first["Location"].startswith(media + "/media/")
    assert first["Cache-Control"] == "private, no-store"
    assert second.status_code == 206
    assert second.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert second.content == data[100:200]
    assert second.headers["Content-Type"] == "video/mp4"
    assert second.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in second.headers["Content-Security-Policy"]
    assert second.headers["Content-Disposition"].startswith("inline; filename*=UTF-8''")
    whole = httpx.get(first["Location"], timeout=10)
    assert (whole.status_code, whole.content) == (200, data)
    past = httpx.get(first["Location"], headers={"Range": f"bytes={len(data)}-"}, timeout=10)
    assert past.status_code == 416 and past.headers["Content-Range"] == f"bytes */{len(data)}"


def test_thumbnails_and_posters_keep_their_explicit_types(cast, client_for, media):
    image, video = make_image(cast.team_a), make_video(cast.team_a)
    client = client_for(cast.viewer)
    _, thumb = _follow(client, f"/library/images/{image.pk}/256")
    _, poster = _follow(client, f"/library/videos/{video.pk}/poster")
    assert thumb.headers["Content-Type"] == "image/jpeg" and thumb.content[:2] == b"\xff\xd8"
    assert poster.headers["Content-Type"] == "image/jpeg" and poster.content[:2] == b"\xff\xd8"


def test_another_team_gets_not_found_and_no_link(cast, client_for, media):
    video = make_video(cast.team_a)
    response = client_for(cast.outsider).get(f"/library/videos/{video.pk}/file",
                                             HTTP_HOST=BROWSER_HOST)
    assert response.status_code == 404 and "Location" not in response


def test_unsigned_tampered_and_foreign_links_are_refused(cast, client_for, media):
    video, other = make_video(cast.team_a), make_video(cast.team_b)
    first = client_for(cast.viewer).get(f"/library/videos/{video.pk}/file",
                                        HTTP_HOST=BROWSER_HOST)
    token = first["Location"].rsplit("/", 1)[1]
    assert httpx.get(f"{media}/media/{video.file}", timeout=10).status_code == 403
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert httpx.get(f"{media}/media/{tampered}", timeout=10).status_code == 403
    # A link signed with another key (or salt) for the other team's file names nothing.
    forged = signing.dumps({"n": other.file, "t": "video/mp4", "d": ""}, salt="other",
                           compress=True)
    assert httpx.get(f"{media}/media/{quote(forged)}", timeout=10).status_code == 403
    assert httpx.get(f"{media}/other", timeout=10).status_code == 404
    assert httpx.post(first["Location"], timeout=10).status_code == 405


def test_an_expired_link_is_refused(cast, client_for, media, settings, monkeypatch):
    video = make_video(cast.team_a)
    location = client_for(cast.viewer).get(f"/library/videos/{video.pk}/file",
                                           HTTP_HOST=BROWSER_HOST)["Location"]
    later = time.time() + settings.STORYBOARD_MEDIA_LINK_SECONDS + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert httpx.get(location, timeout=10).status_code == 403


def test_a_signed_name_outside_the_media_root_is_refused(media, settings, tmp_path):
    (tmp_path / "secret.txt").write_text("not media")
    for name in ("../secret.txt", "/etc/passwd", f"{tmp_path}/secret.txt"):
        url = media_server.link(media, name, "text/plain")
        assert httpx.get(url, timeout=10).status_code == 403, name
    missing = media_server.link(media, "videos/none.mp4", "video/mp4")
    assert httpx.get(missing, timeout=10).status_code == 404


def test_a_media_server_on_loopback_is_not_offered_to_a_browser_elsewhere(
        cast, client_for, media, settings):
    settings.ALLOWED_HOSTS = ["*"]
    video = make_video(cast.team_a)
    response = client_for(cast.viewer).get(f"/library/videos/{video.pk}/file",
                                           HTTP_HOST="192.0.2.10:8000")
    assert response.status_code == 200  # streamed by the view itself
    assert b"".join(response.streaming_content) == video_bytes()


def test_accel_mode_hands_the_file_to_nginx_with_the_same_headers(cast, client_for, settings):
    settings.STORYBOARD_MEDIA_MODE = "accel"
    video = make_video(cast.team_a)
    response = client_for(cast.viewer).get(f"/library/videos/{video.pk}/file")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{quote(video.file)}"
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b""
    settings.STORYBOARD_MEDIA_ACCEL_HEADER = "X-Sendfile"
    sendfile = client_for(cast.viewer).get(f"/library/videos/{video.pk}/file")
    assert sendfile["X-Sendfile"] == str(Path(settings.MEDIA_ROOT).resolve() / video.file)
    assert client_for(cast.outsider).get(f"/library/videos/{video.pk}/file").status_code == 404


def test_the_signed_vendor_links_stay_on_the_web_server(cast, client, media):
    from storyboard.boards.public_media import signed_path

    image = make_image(cast.team_a)
    response = client.get(signed_path(image.file), HTTP_HOST=BROWSER_HOST)
    assert response.status_code == 200  # vendors reach the public address, not the media port


def test_django_mode_streams_from_the_view(cast, client_for, settings):
    assert settings.STORYBOARD_MEDIA_MODE == "django"
    video = make_video(cast.team_a)
    response = client_for(cast.viewer).get(f"/library/videos/{video.pk}/file")
    assert response.status_code == 200 and b"".join(response.streaming_content) == video_bytes()


class PresigningStore:
    """Stands in for django-storages' S3Storage: files elsewhere, `url` presigns."""

    def __init__(self, **options):
        from django.core.files.storage import FileSystemStorage

        self.files = FileSystemStorage()
        self.asked = []

    def __getattr__(self, name):
        return getattr(self.files, name)

    def url(self, name, parameters=None, expire=None):
        self.asked.append((name, parameters, expire))
        return f"https://bucket.example/{name}?X-Amz-Expires={expire}"


def test_s3_redirect_sends_members_to_a_presigned_url_with_the_explicit_type(
        cast, client_for, settings):
    video = make_video(cast.team_a)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "library.test_media_server.PresigningStore"}}
    settings.STORYBOARD_MEDIA_MODE = "s3-redirect"
    response = client_for(cast.viewer).get(f"/library/videos/{video.pk}/file")
    assert response.status_code == 302
    assert response["Location"] == (f"https://bucket.example/{video.file}?X-Amz-Expires="
                                    f"{settings.STORYBOARD_MEDIA_LINK_SECONDS}")
    from django.core.files.storage import storages

    (name, parameters, _), = storages["default"].asked
    assert parameters["ResponseContentType"] == "video/mp4"
    assert parameters["ResponseContentDisposition"].startswith("inline; filename*=UTF-8''")
    assert client_for(cast.outsider).get(f"/library/videos/{video.pk}/file").status_code == 404
