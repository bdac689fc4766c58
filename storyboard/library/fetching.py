"""Images named by a web address (a batch file's `"image_1": "https://…/chef.png"`), fetched so
they can join the library like an upload.

The address is one a person typed, so it is fetched through the outbound client that refuses
private, loopback and link-local addresses at connect time, redirects included (docs/
architecture.md §16; never the sandbox exception: no account is involved). The download is
streamed and stops at the upload limit, then the bytes are checked and re-encoded exactly as an
upload is (`images.prepare_image`: JPEG or PNG, sides, aspect, pixels, metadata dropped).
Nothing is written until the caller stores what came back, inside its own transaction
(`storing`), so a refused batch leaves neither a row nor a file.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from storyboard.library import limits
from storyboard.library.actions import Stored, _Files, store_prepared_image
from storyboard.library.images import MediaRefused, PreparedImage, prepare_image
from storyboard.providers.http import (
    AddressRefused,
    TooLarge,
    build_client,
    checked_transport,
    describe_download_error,
    download,
)

URL_MAX = 2000
# A person waits for an import: a server that does not answer is given up on soon.
FETCH_TIMEOUT = httpx.Timeout(connect=10.0, read=20.0, write=20.0, pool=10.0)


def is_web_address(ref: str) -> bool:
    return ref.strip().lower().startswith(("http://", "https://"))


def shown(url: str) -> str:
    """The address as messages quote it: whole when short, else its start."""
    url = url.strip()
    return url if len(url) <= 80 else url[:77] + "…"


def outbound_transport() -> httpx.BaseTransport:
    """Public addresses only. A test that serves an image from its own machine replaces this,
    and only this, with a transport that may reach loopback."""
    return checked_transport()


def _why(error: BaseException) -> str:
    refused = error.__cause__ if isinstance(error.__cause__, AddressRefused) else None
    if refused is not None or isinstance(error, AddressRefused):
        return str(refused or error)
    if isinstance(error, httpx.TimeoutException):
        return "the server did not answer in time"
    if isinstance(error, httpx.TooManyRedirects):
        return "it redirects more than 3 times"
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "it is not a valid http:// or https:// address"
    return describe_download_error(error)


def _file_name(url: str) -> str:
    """The last part of the address's path ("chef.png"): the image's name in the library."""
    try:
        path = httpx.URL(url).path
    except httpx.InvalidURL:
        return ""
    return path.rstrip("/").rsplit("/", 1)[-1]


def fetch_image(url: str) -> PreparedImage:
    """The image at `url`, checked and re-encoded like an upload, or MediaRefused saying why
    with the address quoted (not reachable, a private address, too large, not an image)."""
    url = url.strip()
    if len(url) > URL_MAX or not is_web_address(url):
        raise MediaRefused(f"“{shown(url)}” is not an http:// or https:// address of at most "
                           f"{URL_MAX} characters")
    limit = limits.IMAGE_MAX_BYTES
    with tempfile.TemporaryDirectory(prefix="fetch-") as folder:
        # No compression asked for: the cap counts the bytes of the file itself.
        client = build_client(transport=outbound_transport(), timeout=FETCH_TIMEOUT,
                              headers={"Accept": "image/png, image/jpeg",
                                       "Accept-Encoding": "identity"})
        try:
            with client:
                got = download(client, url, Path(folder) / "image", max_bytes=limit)
        except TooLarge:
            raise MediaRefused(f"“{shown(url)}” is larger than {limit // limits.MB} MB: at most "
                               f"{limit // limits.MB} MB") from None
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as error:
            raise MediaRefused(f"“{shown(url)}” could not be downloaded: {_why(error)}") from None
        data = got.path.read_bytes()
    try:
        return prepare_image(data, _file_name(url), got.sha256)
    except MediaRefused as refused:
        raise MediaRefused(f"“{shown(url)}” is not an image the library takes: {refused}") \
            from None


@contextlib.contextmanager
def storing(team, user) -> Iterator[Callable[[PreparedImage], Stored]]:
    """A function that stores fetched images in the team's library (the same image already
    there is reused), for use inside the caller's transaction: when the block fails, the files
    it wrote are removed with the rows the transaction rolls back."""
    files = _Files()
    try:
        yield lambda prepared: store_prepared_image(team, user, prepared, files)
    except BaseException:
        files.discard()
        raise
