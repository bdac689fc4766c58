"""An account marked sandbox reaches this machine only at the sandbox the server runs
(STORYBOARD_SANDBOX_URL). Anywhere else — another loopback port, a service on this machine — it is
refused when it is entered and again whenever a call is made for it, and nothing is contacted;
the operator's STORYBOARD_ALLOW_ANY_SANDBOX brings back the old any-address behaviour."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from providers.sandbox_helpers import running

from storyboard.providers.base import ProviderError
from storyboard.providers.http import build_client, download, send
from storyboard.providers.registry import provider_for
from storyboard.providers.sandbox import SANDBOX_CREDENTIALS, base_urls
from storyboard.teams.accounts import (
    AccountError,
    AccountInput,
    add_account,
    change_account,
    check_connection,
)
from storyboard.teams.models import ProviderAccount

DIALECT = "cometapi"  # one API key: the smallest form


class Listener:
    """A local service the sandbox flag must not reach: it counts every connection made to it
    (and answers each with a line that would leak, were it read)."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.sendall(b"+OK internal service v1.2\r\n")

    def close(self):
        self.socket.close()


@pytest.fixture
def listener():
    local = Listener()
    yield local
    local.close()


@pytest.fixture
def sandbox(tmp_path):
    with running(tmp_path / "sandbox") as sb:  # started in the test: this server's sandbox
        yield sb


def _form(base_url: str, label: str = "Probe") -> dict:
    return {"dialect": DIALECT, "label": label, "api_key": "k", "max_jobs": 2,
            "sandbox": "on", "base_url": base_url}


def _own_team(client):
    assert client.post("/team/new/", {"name": "My own team"}).status_code == 302


def _stored(team, base_url: str) -> ProviderAccount:
    """A sandbox account saved before the rule (or before the sandbox moved): straight into
    the table, past the entry checks."""
    account = add_account(team, AccountInput(DIALECT, "Old sandbox", {"api_key": "k"}))
    ProviderAccount.objects.filter(pk=account.pk).update(base_url=base_url, sandbox=True)
    account.refresh_from_db()
    return account


def test_a_viewer_with_a_team_of_their_own_cannot_point_a_sandbox_account_at_another_port(
        cast, client_for, sandbox, listener):
    client = client_for(cast.viewer)
    _own_team(client)
    response = client.post("/team/accounts/new/", _form(f"{listener.url}/probe"))
    assert response.status_code == 400
    page = response.content.decode()
    assert (f"Base URL: an account marked sandbox must point at this server&#x27;s sandbox, "
            f"{sandbox.url}; {listener.url}/probe is not under it.") in page
    assert not ProviderAccount.objects.exists()
    assert listener.connections == 0


@pytest.mark.parametrize("near_miss", [
    "https://{host}:{port}",  # another scheme
    "http://localhost:{port}",  # another spelling of the host
    "http://[::1]:{port}",
])
def test_only_the_sandbox_roots_own_scheme_host_and_port_count(cast, sandbox, near_miss):
    host, port = sandbox.url.removeprefix("http://").split(":")
    url = near_miss.format(root=sandbox.url, host=host, port=port)
    with pytest.raises(AccountError, match="^Base URL: an account marked sandbox must point"):
        add_account(cast.team_a, AccountInput(DIALECT, "Near miss", {"api_key": "k"},
                                              base_url=url, sandbox=True))


def test_a_sandbox_root_with_a_path_admits_only_urls_below_that_path(cast, sandbox,
                                                                     name_sandbox):
    name_sandbox(f"{sandbox.url}/{DIALECT}")

    def add(url):
        return add_account(cast.team_a, AccountInput(DIALECT, url[-20:], {"api_key": "k"},
                                                     base_url=url, sandbox=True))

    with pytest.raises(AccountError, match="is not under it"):
        add(f"{sandbox.url}/{DIALECT}-elsewhere")  # a string prefix, not a path below
    assert add(f"{sandbox.url}/{DIALECT}/v1").base_url == f"{sandbox.url}/{DIALECT}/v1"


def test_without_a_sandbox_configured_no_account_may_be_marked_sandbox(cast, client_for,
                                                                       listener):
    response = client_for(cast.owner).post("/team/accounts/new/", _form(listener.url))
    assert response.status_code == 400
    assert "Base URL: this server runs no sandbox" in response.content.decode()
    with pytest.raises(AccountError, match="^Base URL: this server runs no sandbox"):
        add_account(cast.team_a, AccountInput(DIALECT, "Empty", {"api_key": "k"},
                                              sandbox=True))
    assert not ProviderAccount.objects.exists()


def test_changing_an_account_to_a_sandbox_elsewhere_is_refused_and_keeps_the_old_one(
        cast, sandbox, listener):
    account = add_account(cast.team_a, AccountInput(
        DIALECT, "Sandbox", {"api_key": "k"}, base_url=base_urls(sandbox.url)[DIALECT],
        sandbox=True))
    with pytest.raises(AccountError, match="^Base URL: "):
        change_account(account, AccountInput(DIALECT, "Sandbox", {}, base_url=listener.url,
                                             sandbox=True))
    account.refresh_from_db()
    assert account.base_url == base_urls(sandbox.url)[DIALECT]


def test_test_connection_on_a_stored_sandbox_account_elsewhere_contacts_nothing(
        cast, client_for, sandbox, listener):
    account = _stored(cast.team_a, listener.url)
    response = client_for(cast.owner).post(f"/team/accounts/{account.pk}/test/", follow=True)
    assert (f"Old sandbox: Base URL: an account marked sandbox must point at this server&#x27;s "
            f"sandbox, {sandbox.url}") in response.content.decode()
    account.refresh_from_db()
    assert account.test_ok is False and account.test_message.startswith("Base URL: ")
    assert listener.connections == 0


def test_the_workers_calls_for_a_stored_sandbox_account_elsewhere_never_connect(
        cast, sandbox, listener, tmp_path):
    # What the worker does for a job: a provider from the stored account, then a download.
    account = _stored(cast.team_a, listener.url)
    provider = provider_for(account.as_provider_account())
    with pytest.raises(ProviderError, match="private or loopback address: refused"):
        provider.get_task("task-1")
    with build_client(allow_loopback=True) as client, pytest.raises(
            httpx.ConnectError, match="private or loopback address: refused"):
        download(client, f"{listener.url}/clip.mp4", tmp_path / "clip.mp4", max_bytes=1000)
    assert listener.connections == 0


class _Redirect(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self):  # noqa: N802
        self.send_response(302)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_sandbox_cannot_redirect_a_client_to_another_local_port(name_sandbox, listener):
    handler = type("ToListener", (_Redirect,), {"target": f"{listener.url}/secret"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        name_sandbox(f"http://127.0.0.1:{server.server_port}")
        with build_client(allow_loopback=True) as client, pytest.raises(
                httpx.ConnectError, match="private or loopback address: refused"):
            send(client, "GET", f"http://127.0.0.1:{server.server_port}/media")
    finally:
        server.shutdown()
        server.server_close()
    assert listener.connections == 0


def test_the_configured_sandbox_still_works_end_to_end(cast, client_for, sandbox):
    client = client_for(cast.owner)
    response = client.post("/team/accounts/new/", {
        **_form(base_urls(sandbox.url)[DIALECT], "Sandbox CometAPI"),
        "api_key": SANDBOX_CREDENTIALS[DIALECT]["api_key"]})
    assert response.status_code == 302, response.content.decode()
    account = ProviderAccount.objects.get(label="Sandbox CometAPI")
    page = client.post(f"/team/accounts/{account.pk}/test/", follow=True).content.decode()
    assert "Sandbox CometAPI: Connected" in page
    account.refresh_from_db()
    assert account.test_ok is True


def test_an_account_not_marked_sandbox_gets_no_exemption_at_the_sandbox_either(cast, sandbox):
    account = add_account(cast.team_a, AccountInput(DIALECT, "Plain", {"api_key": "k"}))
    ProviderAccount.objects.filter(pk=account.pk).update(
        base_url=base_urls(sandbox.url)[DIALECT])
    account.refresh_from_db()
    ok, message = check_connection(account)
    assert not ok and "private or loopback address: refused" in message


def test_the_operators_override_lets_a_sandbox_account_use_any_address(cast, client_for,
                                                                       settings, listener):
    settings.STORYBOARD_ALLOW_ANY_SANDBOX = True
    client = client_for(cast.owner)
    assert client.post("/team/accounts/new/", _form(listener.url)).status_code == 302
    account = ProviderAccount.objects.get(label="Probe")
    client.post(f"/team/accounts/{account.pk}/test/")
    assert listener.connections >= 1  # reached, as before the rule


def test_the_account_form_says_which_sandbox_the_box_is_for(cast, client_for, sandbox):
    page = client_for(cast.owner).get("/team/accounts/new/").content.decode()
    assert f"Only with a base URL under this server&#x27;s sandbox, {sandbox.url}." in page
