"""Outbound HTTP refuses private and loopback addresses at connect time (unless the account is a
sandbox), follows at most three redirects, caps answer sizes, and downloads atomically."""

import http.server
import ipaddress
import threading

import httpx
import pytest

from storyboard.providers.http import (
    AddressRefused,
    TooLarge,
    address_allowed,
    build_client,
    download,
    send,
)


@pytest.mark.parametrize("ip, allowed", [
    ("8.8.8.8", True), ("10.0.0.1", False), ("192.168.1.1", False), ("172.16.0.1", False),
    ("169.254.169.254", False), ("127.0.0.1", False), ("::1", False), ("fc00::1", False),
    ("::ffff:10.0.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),  # noqa: S104
    ("2001:4860:4860::8888", True)])
def test_only_public_addresses_are_allowed(ip, allowed):
    assert address_allowed(ipaddress.ip_address(ip), allow_loopback=False) is allowed


def test_loopback_is_allowed_only_for_sandbox_accounts():
    assert address_allowed(ipaddress.ip_address("127.0.0.1"), allow_loopback=True)
    assert not address_allowed(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path.startswith("/hop/"):
            n = int(self.path.rsplit("/", 1)[1])
            self.send_response(302)
            self.send_header("Location", f"/hop/{n + 1}" if n < 9 else "/big")
            self.end_headers()
            return
        body = b"x" * (2_000_000 if self.path == "/big" else 100)
        if self.path == "/short":
            self.send_response(200)
            self.send_header("Content-Length", "500")
            self.end_headers()
            self.wfile.write(b"y" * 100)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_normal_client_refuses_to_connect_to_loopback(local_server):
    with build_client() as client, pytest.raises(httpx.ConnectError) as caught:
        send(client, "GET", f"{local_server}/ok")
    assert isinstance(caught.value.__context__ or caught.value, AddressRefused | httpx.ConnectError)
    assert "private or loopback address" in str(caught.value)


def test_a_host_name_resolving_to_loopback_is_refused_too(local_server):
    port = local_server.rsplit(":", 1)[1]
    with build_client() as client, pytest.raises(httpx.ConnectError, match="refused"):
        send(client, "GET", f"http://localhost:{port}/ok")


def test_a_sandbox_client_reaches_loopback(local_server):
    with build_client(allow_loopback=True) as client:
        assert send(client, "GET", f"{local_server}/ok").content == b"x" * 100


def test_at_most_three_redirects_are_followed(local_server):
    with build_client(allow_loopback=True) as client:
        assert send(client, "GET", f"{local_server}/hop/7").status_code == 200  # 3 hops
        with pytest.raises(httpx.TooManyRedirects):
            send(client, "GET", f"{local_server}/hop/1")


def test_answers_over_the_cap_are_refused(local_server):
    with build_client(allow_loopback=True) as client, pytest.raises(TooLarge):
        send(client, "GET", f"{local_server}/big", max_bytes=1_000_000)


def test_a_download_lands_atomically_or_not_at_all(local_server, tmp_path):
    with build_client(allow_loopback=True) as client:
        done = download(client, f"{local_server}/ok", tmp_path / "a.mp4", max_bytes=1000)
        assert done.size == 100 and (tmp_path / "a.mp4").read_bytes() == b"x" * 100
        with pytest.raises(TooLarge):
            download(client, f"{local_server}/big", tmp_path / "b.mp4", max_bytes=1000)
        with pytest.raises(httpx.HTTPError):
            download(client, f"{local_server}/short", tmp_path / "c.mp4", max_bytes=1000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4"]


def test_proxy_settings_from_the_environment_are_ignored(monkeypatch, local_server):
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    with build_client(allow_loopback=True) as client:
        assert send(client, "GET", f"{local_server}/ok").status_code == 200


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "0177.0.0.1", "127.1",
                                  "[::ffff:127.0.0.1]", "169.254.169.254", "10.1.2.3",
                                  "[fd00::1]", "0.0.0.0"])  # noqa: S104
def test_every_spelling_of_a_private_address_is_refused_at_connect_time(host):
    # Refused when connecting, or already by httpx's own URL parser (octal forms).
    with build_client() as client, pytest.raises((httpx.ConnectError, httpx.InvalidURL)):
        send(client, "GET", f"http://{host}:9/")


def test_a_redirect_to_a_private_address_is_refused(local_server):
    def redirecting(request):
        return httpx.Response(302, headers={"Location": f"{local_server}/ok"})

    # The first hop answers from a (mocked) public host; the second would reach loopback.
    client = build_client()
    inner = client._transport
    client._transport = _FirstHopMock(redirecting, inner)
    with client, pytest.raises(httpx.ConnectError, match="refused"):
        send(client, "GET", "https://vendor.example.com/video.mp4")


class _FirstHopMock(httpx.BaseTransport):
    def __init__(self, handler, inner):
        self.handler, self.inner, self.calls = handler, inner, 0

    def handle_request(self, request):
        self.calls += 1
        if self.calls == 1:
            return self.handler(request)
        return self.inner.handle_request(request)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a", "gopher://x/",
                                 "data:text/plain,hi"])
def test_non_http_schemes_are_refused(url):
    with build_client(allow_loopback=True) as client, pytest.raises(httpx.UnsupportedProtocol):
        send(client, "GET", url)
