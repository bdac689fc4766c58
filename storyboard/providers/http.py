"""Outbound HTTP, built in one place (docs/architecture.md §3 and §16).

Every request to a vendor goes through a client from `build_client`: explicit timeouts, no proxy
settings taken from the environment, no automatic redirects (`send` follows at most three by
hand, each hop connecting through the same checks), and a connection-time check of the resolved
address, so a host name that resolves to a private or loopback address is refused however the URL
was spelled. Loopback is reachable only for sandbox accounts, and for them only at the sandbox
this server runs (`set_sandbox`; docs/security.md). Tests inject a transport instead of patching.
"""

from __future__ import annotations

import contextlib
import enum
import glob
import hashlib
import ipaddress
import os
import socket
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpcore
import httpx

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=10.0)
MAX_REDIRECTS = 3
MAX_JSON_BYTES = 5 * 1024 * 1024


class AddressRefused(httpcore.ConnectError):
    """The host resolved to an address this client may not reach."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Never reached, whatever else is allowed: what the ipaddress module does not already count as
# non-global. Deployments extend the list through set_blocked_networks (the app passes the
# STORYBOARD_BLOCKED_NETWORKS setting at start-up), e.g. with their own cloud's ranges.
DEFAULT_BLOCKED_NETWORKS = (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4",
    "240.0.0.0/4", "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
)
_blocked: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(n) for n in DEFAULT_BLOCKED_NETWORKS)

NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the well-known prefix: IPv4 in the last 32 bits
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d


def set_blocked_networks(networks: list[str] | tuple[str, ...]) -> None:
    """Replace the blocked networks (CIDR strings). Raises ValueError on a malformed entry."""
    global _blocked
    _blocked = tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries, where the network would deliver to it."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_allowed(ip: IPAddress, *, allow_loopback: bool) -> bool:
    """May this client connect to `ip`? Only global unicast addresses outside the blocked
    networks, judged by the IPv4 address inside an IPv6 form (mapped, NAT64, 6to4, IPv4-
    compatible) as well as by the IPv6 address itself."""
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if ip.ipv4_mapped:
            candidates = [ip.ipv4_mapped]  # the IPv4 address itself, spelled for a v6 socket
        elif inner is not None:
            candidates.append(inner)
    return all(_one_allowed(c, allow_loopback=allow_loopback) for c in candidates)


def _one_allowed(ip: IPAddress, *, allow_loopback: bool) -> bool:
    if ip.is_loopback:
        return allow_loopback
    if any(ip in net for net in _blocked if net.version == ip.version):
        return False
    return ip.is_global and not ip.is_multicast


Origin = tuple[str, str, int]  # scheme, host, port (the default port spelled out)
ANY_SANDBOX = "any"
# Where a client built with allow_loopback=True may reach loopback: only requests to this origin
# (the sandbox this server runs), nowhere (None), or, for scripts that never configure it and
# for the operator's STORYBOARD_ALLOW_ANY_SANDBOX, anywhere. The Django app sets it at start-up
# (teams/apps.py), so a sandbox-flagged account cannot point a client at another local port.
_sandbox: Origin | None | str = ANY_SANDBOX
_sandbox_path = ""


def origin_of(url: str | httpx.URL) -> Origin | None:
    """(scheme, host, port) of a URL as the client connects to it; None if it names no host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    return parsed.scheme, parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80)


def set_sandbox(root: str, *, allow_any: bool = False) -> None:
    """The sandbox this server runs (its root URL; empty: none). `allow_any` lets sandbox
    clients reach any loopback address, as before the rule. Raises ValueError on a bad root."""
    global _sandbox, _sandbox_path
    if allow_any:
        _sandbox, _sandbox_path = ANY_SANDBOX, ""
        return
    where = origin_of(root) if root else None
    if root and where is None:
        raise ValueError(f"{root!r} is not an http:// or https:// URL with a host")
    _sandbox, _sandbox_path = where, httpx.URL(root).path.rstrip("/") if root else ""


def sandbox_root() -> str:
    """The configured sandbox's root URL for messages; "" when there is none or any is allowed."""
    if not isinstance(_sandbox, tuple):
        return ""
    scheme, host, port = _sandbox
    return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}{_sandbox_path}"


def any_sandbox_allowed() -> bool:
    return _sandbox == ANY_SANDBOX


def at_sandbox(url: str) -> bool:
    """Is `url` under the configured sandbox root: same scheme, host and port, and a path at or
    below the root's (compared parsed, so `…:8765.evil.example` or `…:87650` never match)?"""
    if _sandbox == ANY_SANDBOX:
        return True
    if _sandbox is None or origin_of(url) != _sandbox:
        return False
    path = httpx.URL(url).path.rstrip("/")
    return not _sandbox_path or path == _sandbox_path or path.startswith(_sandbox_path + "/")


class _SandboxOnly(httpx.BaseTransport):
    """Requests to the configured sandbox's origin go through a transport that may reach
    loopback; every other request, redirects included, through the ordinary checked one."""

    def __init__(self, sandbox: Origin):
        self.sandbox = sandbox
        self.to_sandbox = checked_transport(allow_loopback=True)
        self.elsewhere = checked_transport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        through = self.to_sandbox if origin_of(request.url) == self.sandbox else self.elsewhere
        return through.handle_request(request)

    def close(self) -> None:
        self.to_sandbox.close()
        self.elsewhere.close()


def _sandbox_transport() -> httpx.BaseTransport:
    if isinstance(_sandbox, tuple):
        return _SandboxOnly(_sandbox)
    if _sandbox == ANY_SANDBOX:
        return checked_transport(allow_loopback=True)
    return checked_transport()  # no sandbox: loopback nowhere


class _CheckedBackend(httpcore.SyncBackend):
    """Resolves the host itself, refuses if ANY address is not allowed, then connects to the
    checked address (so a second DNS answer cannot swap in a private one)."""

    def __init__(self, *, allow_loopback: bool):
        self.allow_loopback = allow_loopback

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        try:
            addresses = [ipaddress.ip_address(host)]  # an address already: nothing to resolve
        except ValueError:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
            addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        refused = [a for a in addresses
                   if not address_allowed(a, allow_loopback=self.allow_loopback)]
        if refused or not addresses:
            raise AddressRefused(
                f"{host} resolves to {refused[0] if refused else 'nothing'}, a private or "
                "loopback address: refused"
            )
        return super().connect_tcp(str(addresses[0]), port, timeout, local_address,
                                   socket_options)


# Enough connections for the worker's concurrent poll sweep to reuse them.
POOL_LIMITS = httpx.Limits(max_connections=128, max_keepalive_connections=128)


def checked_transport(*, allow_loopback: bool = False) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(retries=0, trust_env=False, limits=POOL_LIMITS)
    # httpx does not expose httpcore's network_backend; the pool is built in __init__ and only
    # reads the attribute when it opens a connection, so swapping it here is safe.
    transport._pool._network_backend = _CheckedBackend(allow_loopback=allow_loopback)
    return transport


def build_client(*, allow_loopback: bool = False, transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT, headers: dict[str, str] | None = None
                 ) -> httpx.Client:
    """`allow_loopback` is for sandbox accounts: loopback only at the configured sandbox."""
    if transport is None:
        transport = _sandbox_transport() if allow_loopback else checked_transport()
    return httpx.Client(
        transport=transport,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": "storyboard/0.1", **(headers or {})},
    )


def send(client: httpx.Client, method: str, url: str, *, max_bytes: int = MAX_JSON_BYTES,
         **kwargs: Any) -> httpx.Response:
    """A request whose answer is read with a size cap and which follows at most MAX_REDIRECTS
    redirects by hand (GET after 303). The returned response is fully read."""
    for _ in range(MAX_REDIRECTS + 1):
        request = client.build_request(method, url, **kwargs)
        response = client.send(request, stream=True)
        try:
            if response.is_redirect:
                url = str(response.url.join(response.headers.get("location", "")))
                if response.status_code == 303:
                    method = "GET"
                    kwargs = {k: v for k, v in kwargs.items() if k in ("headers", "params")}
                continue
            if response.is_stream_consumed:  # in-memory transports hand over read answers
                return response
            raw = _read_raw_capped(response, max_bytes)
        finally:
            response.close()
        # Rebuilt from the raw bytes so that content decoding happens exactly once.
        answer = httpx.Response(response.status_code, headers=response.headers, content=raw,
                                request=request)
        answer.read()
        return answer
    raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects", request=request)


class TooLarge(httpx.HTTPError):
    def __init__(self, message: str):
        super().__init__(message)


def _read_raw_capped(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"answer of {int(declared)} bytes is over the limit of {limit}")
    chunks, size = [], 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"answer is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class Downloaded:
    path: Path
    size: int
    sha256: str
    content_type: str


PART_PREFIX = ".part-"  # a download in progress: `.part-<final name>.<random><suffix>`


def discard_partial(dest: Path) -> int:
    """Removes what an earlier download into `dest` left behind when its process was killed
    (no `finally` runs then). Downloads into one destination are never concurrent: the worker
    claims the job first."""
    removed = 0
    for leftover in dest.parent.glob(f"{PART_PREFIX}{glob.escape(dest.name)}.*"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
            removed += 1
    return removed


def download(client: httpx.Client, url: str, dest: Path, *, max_bytes: int) -> Downloaded:
    """Streams `url` into a temporary file beside `dest` (constant memory), checks the size
    against what the server declared, then moves it into place atomically. Redirects are
    followed by hand, at most MAX_REDIRECTS, each hop through the same address checks."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    discard_partial(dest)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f"{PART_PREFIX}{dest.name}.",
                                    suffix=dest.suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            for _ in range(MAX_REDIRECTS + 1):
                with client.stream("GET", url) as response:
                    if response.is_redirect:
                        url = str(response.url.join(response.headers.get("location", "")))
                        continue
                    response.raise_for_status()
                    size, digest = _write_capped(response, out, max_bytes)
                    content_type = response.headers.get("content-type", "")
                    break
            else:
                raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")
        os.replace(tmp_name, dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return Downloaded(dest, size, digest, content_type)


def _write_capped(response: httpx.Response, out: IO[bytes], max_bytes: int) -> tuple[int, str]:
    declared = response.headers.get("content-length")
    expected = int(declared) if declared and declared.isdigit() else None
    if expected is not None and expected > max_bytes:
        raise TooLarge(f"file of {expected} bytes is over the limit of {max_bytes}")
    digest, size = hashlib.sha256(), 0
    for chunk in response.iter_bytes(1024 * 256):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"file is over the limit of {max_bytes} bytes")
        digest.update(chunk)
        out.write(chunk)
    if expected is not None and expected != size:
        raise httpx.ReadError(f"download ended after {size} of {expected} bytes")
    return size, digest.hexdigest()


class DownloadVerdict(enum.Enum):
    """What a failed download is worth, decided from what the server answered."""

    RETRY = "retry"  # the same URL again later: busy, failing, or the connection broke
    LINK_EXPIRED = "link_expired"  # the URL itself is dead: only a fresh link can help
    FINAL = "final"  # neither helps (too large, a bad address, a refusal of another kind)


# A signed CDN link past its time answers 403 (S3-style "Request has expired"); a link to a
# file that was cleaned up answers 404 or 410. Asking again for the same URL changes nothing.
LINK_EXPIRED_STATUSES = frozenset({403, 404, 410})


def download_verdict(error: BaseException) -> DownloadVerdict:
    """Whether a failed `download` is worth trying again, from the status or the failure."""
    if isinstance(error, TooLarge | httpx.InvalidURL | httpx.UnsupportedProtocol
                  | httpx.TooManyRedirects):
        return DownloadVerdict.FINAL
    if isinstance(error, httpx.HTTPStatusError):
        status = error.response.status_code
        if status in LINK_EXPIRED_STATUSES:
            return DownloadVerdict.LINK_EXPIRED
        if status in (408, 429) or status >= 500:
            return DownloadVerdict.RETRY
        return DownloadVerdict.FINAL
    if isinstance(error, httpx.ConnectError) and isinstance(error.__cause__, AddressRefused):
        return DownloadVerdict.FINAL  # the address checks will refuse it every time
    if isinstance(error, httpx.TransportError | OSError):
        return DownloadVerdict.RETRY  # timeouts, dropped or cut-short connections, a full disk
    return DownloadVerdict.FINAL


def describe_download_error(error: BaseException) -> str:
    """A failed download in a few plain words (httpx's own text carries a documentation link)."""
    if isinstance(error, httpx.HTTPStatusError):
        status = error.response.status_code
        return f"the server answered {status} {httpx.codes.get_reason_phrase(status)}".rstrip()
    return str(error) or type(error).__name__
