"""What a failed download is worth, from what the file server answered: an expired or missing
link (403, 404, 410) needs a fresh link, a busy or failing server or a broken connection is
worth the same URL later, and the rest is final."""

import httpx
import pytest

from storyboard.providers.http import (
    DownloadVerdict,
    build_client,
    describe_download_error,
    download,
    download_verdict,
)


def _failure(tmp_path, handler, max_bytes=1000) -> BaseException:
    with build_client(transport=httpx.MockTransport(handler)) as client, \
            pytest.raises(Exception) as failed:
        download(client, "https://cdn.example/clip.mp4", tmp_path / "clip.mp4",
                 max_bytes=max_bytes)
    assert not (tmp_path / "clip.mp4").exists()
    return failed.value


@pytest.mark.parametrize(("status", "verdict"), [
    (403, DownloadVerdict.LINK_EXPIRED), (404, DownloadVerdict.LINK_EXPIRED),
    (410, DownloadVerdict.LINK_EXPIRED), (408, DownloadVerdict.RETRY),
    (429, DownloadVerdict.RETRY), (500, DownloadVerdict.RETRY), (503, DownloadVerdict.RETRY),
    (400, DownloadVerdict.FINAL), (401, DownloadVerdict.FINAL),
])
def test_the_status_decides(tmp_path, status, verdict):
    error = _failure(tmp_path, lambda request: httpx.Response(status, text="no"))
    assert download_verdict(error) == verdict
    assert describe_download_error(error) == (
        f"the server answered {status} {httpx.codes.get_reason_phrase(status)}")


def test_broken_connections_are_retried_and_oversized_files_are_not(tmp_path):
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    assert download_verdict(_failure(tmp_path, refuse)) == DownloadVerdict.RETRY
    short = {"content-length": "100"}
    cut = _failure(tmp_path, lambda r: httpx.Response(200, headers=short, content=b"x" * 10))
    assert download_verdict(cut) == DownloadVerdict.RETRY
    large = _failure(tmp_path, lambda r: httpx.Response(200, content=b"x" * 2000))
    assert download_verdict(large) == DownloadVerdict.FINAL
