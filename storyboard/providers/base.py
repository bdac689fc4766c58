"""The small interface every target implements, and the plain values it returns.

A provider turns a storyboard (with its media, resolved by the caller) into a remote task,
reports the task's state in one normalised form, and lists the result files. Every failure is a
ProviderError that says what kind of failure it is and whether retrying can help, so the worker
decides on `kind`/`retryable` and never on a vendor's status numbers.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import httpx

from storyboard.rules import BodyOptions, Storyboard, Target, build_body

from .http import AddressRefused, TooLarge, build_client, send


class Failure(enum.StrEnum):
    AUTHENTICATION = "authentication"
    CREDITS = "credits"  # credits or quota
    RATE_LIMITED = "rate_limited"
    MODERATION = "moderation"
    REJECTED = "rejected"  # the provider's validation refused the request
    NOT_FOUND = "not_found"
    PROVIDER_FAULT = "provider_error"
    NETWORK = "network"


RETRYABLE_BY_DEFAULT = {Failure.RATE_LIMITED, Failure.PROVIDER_FAULT, Failure.NETWORK}


class ErrorContext(TypedDict, total=False):
    """What an adapter's error parser passes to every ProviderError it makes (`**common`)."""

    status: int | None
    code: str | int | None
    provider_text: str


class ProviderError(Exception):
    """A call to a provider failed. `retryable`: whether trying again later can help."""

    def __init__(self, kind: Failure, message: str, *, retryable: bool | None = None,
                 retry_after: float | None = None, status: int | None = None,
                 code: str | int | None = None, provider_text: str = "",
                 maybe_sent: bool = False, missing_elements: tuple[str, ...] = (),
                 stale_uploads: bool = False):
        super().__init__(message)
        # Remote element ids the provider says do not exist (deleted on its side, or a
        # sandbox that forgot them): the caller drops them from its cache and creates the
        # elements again, once.
        self.missing_elements = tuple(missing_elements)
        # An upload we cached (an asset URL) is gone on the provider's side: upload again, once.
        self.stale_uploads = stale_uploads
        # True when the request may have reached the provider although no answer came back
        # (a read timeout, a dropped connection): a create must then not simply be sent again.
        self.maybe_sent = maybe_sent
        self.kind = kind
        self.message = message
        self.retryable = kind in RETRYABLE_BY_DEFAULT if retryable is None else retryable
        self.retry_after = retry_after
        self.status = status
        self.code = code
        self.provider_text = provider_text

    def __repr__(self) -> str:
        return f"ProviderError({self.kind.value}, {self.message!r}, retryable={self.retryable})"


class TaskState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


FINAL_STATES = frozenset({TaskState.SUCCEEDED, TaskState.FAILED})


@dataclass(frozen=True)
class ResultFile:
    url: str
    watermarked: bool = False
    poster_url: str | None = None
    remote_id: str | None = None  # e.g. useapi workId, for the clean-master download
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    expires_at: float | None = None


@dataclass(frozen=True)
class TaskStatus:
    task_id: str
    state: TaskState
    progress: int | None = None  # 0-100 when the provider reports it
    failure: Failure | None = None
    reason: str = ""  # the provider's own words when it failed
    results: tuple[ResultFile, ...] = ()
    credits: float | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES


@dataclass(frozen=True)
class TaskHandle:
    task_id: str
    external_task_id: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Media:
    """A local file the provider may need to receive (upload, base64) or reach by URL."""

    path: Path
    content_type: str
    sha256: str
    public_url: str | None = None


@dataclass(frozen=True)
class ElementSpec:
    """A library element version, as a provider needs it to create the element remotely."""

    name: str
    description: str
    tag: str
    frontal: Media | None = None
    extra: tuple[Media, ...] = ()
    video: Media | None = None
    voice_id: str | None = None
    voice_clip: Media | None = None


@dataclass(frozen=True)
class ElementCreation:
    """Element creation is immediate on some dialects and a task on others (kling).
    ``notes``: what the adapter changed or left out to satisfy the vendor (the job shows them)."""

    element_id: str | None = None
    task_id: str | None = None
    failed: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CredentialField:
    """One credential an account of a vendor needs; the account form is built from these."""

    name: str  # the key in the account's encrypted credentials
    label: str
    required: bool = True
    secret: bool = True  # secrets are never shown again; the others are filled in on edit


@dataclass(frozen=True)
class Account:
    """What an adapter knows of a provider account (credentials already decrypted)."""

    dialect: str
    base_url: str
    credentials: Mapping[str, str]
    sandbox: bool = False
    vip: bool = False
    label: str = ""

    def __repr__(self) -> str:  # never print credentials
        return f"Account({self.dialect!r}, {self.label!r}, {self.base_url!r})"


class Provider:
    dialect: str = ""
    label: str = ""  # how the vendor is named to users
    default_base_url: str = ""
    credentials: tuple[CredentialField, ...] = ()
    # The account can say it is on the vendor's VIP plan (longer clips, 4K, several outputs).
    vip_plan = False
    # Our job id goes in the create body, so the task can be found again by it.
    has_external_task_id = False
    # The vendor refuses a second create with the same external_task_id, so re-sending a create
    # whose lookup found nothing cannot pay twice. Only set where that guard is documented.
    idempotent_create = False
    has_elements = False
    # Elements go inline in the create body (no element ids on the vendor's side).
    inline_elements = False
    needs_public_media = False
    # An image or video slot may be any URL the vendor fetches itself. False: only URLs of
    # files first uploaded to the vendor are taken (a plain address is refused), so an address
    # a batch file gives is downloaded and uploaded instead (docs/command-line.md).
    takes_media_urls = True
    # Polling a finished task again answers with result links signed anew, so a link that
    # expired before it was fetched can be replaced (the worker asks at most a few times).
    fresh_result_links = False
    # Requests carry tokens stamped with this machine's clock (not-before / expiry), so a clock
    # off by more than a few seconds gets them refused (`manage.py doctor` compares clocks).
    clock_stamped_tokens = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.credential_fields = tuple(f.name for f in cls.credentials)

    credential_fields: tuple[str, ...] = ()  # the names of `credentials`, for quick tests

    @classmethod
    def check_context(cls, account: Any) -> dict[str, Any]:
        """This vendor's part of the rules' CheckContext for the selected account (an object
        with ``dialect``, ``vip``, ``sandbox``; None when none is selected). The parts of every
        vendor are merged, so each also speaks for its own target in the strip of targets."""
        return {}

    def __init__(self, account: Account, *, client: httpx.Client | None = None,
                 asset_cache: MutableMapping[str, str] | None = None):
        self.account = account
        # Uploaded-asset URLs by file sha256, for this account (the app passes a persistent one).
        self.asset_cache = asset_cache if asset_cache is not None else {}
        self.base_url = (account.base_url or self.default_base_url).rstrip("/")
        self.client = client or build_client(allow_loopback=account.sandbox)

    # --- the interface -------------------------------------------------------------------
    def create_task(self, storyboard: Storyboard, refs: Mapping[str, Any],
                    options: BodyOptions) -> TaskHandle:
        raise NotImplementedError

    def get_task(self, task_id: str) -> TaskStatus:
        raise NotImplementedError

    def find_task(self, external_task_id: str) -> TaskStatus | None:
        """The task created with this caller id, or None when the provider never got it.
        Only dialects with `has_external_task_id` can answer."""
        raise ProviderError(Failure.REJECTED, f"{self.dialect} cannot look tasks up by our id",
                            retryable=False)

    def callback_options(self, url: str, job_ref: str) -> dict[str, str]:
        """The BodyOptions fields that ask the vendor to call ``url`` back about this job
        (``job_ref``: our job's id); empty where the dialect has no callbacks."""
        return {}

    def result_files(self, status: TaskStatus) -> list[ResultFile]:
        """The files to download for a succeeded task, best first."""
        return list(status.results)

    def reference(self, slot: str, media: Media) -> Any:
        """What to send for an image/video slot: an uploaded URL, a public URL or base64."""
        raise NotImplementedError

    def create_element(self, spec: ElementSpec) -> ElementCreation:
        raise ProviderError(Failure.REJECTED, f"{self.label} has no element-creation route.",
                            retryable=False)

    def inline_element(self, slot: str, spec: ElementSpec) -> Any:
        """What goes in the body for an element sent inline (``inline_elements``)."""
        raise NotImplementedError

    def element_status(self, task_id: str) -> ElementCreation:
        raise ProviderError(Failure.REJECTED, f"{self.label} creates elements at once.",
                            retryable=False)

    def test_connection(self) -> str:
        """One harmless authenticated call; returns a sentence for the user."""
        raise NotImplementedError

    # --- shared helpers ------------------------------------------------------------------
    def body(self, storyboard: Storyboard, refs: Mapping[str, Any],
             options: BodyOptions) -> dict[str, Any]:
        return build_body(storyboard, Target(self.dialect, storyboard.target.model), refs,
                          options)

    def headers(self) -> dict[str, str]:
        return {}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call; a transport failure becomes a ProviderError in our own plain words
        (the library's exception text says nothing a user can act on)."""
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        host = httpx.URL(url).host if url.startswith("http") else url
        headers = {**self.headers(), **kwargs.pop("headers", {})}
        try:
            response = send(self.client, method, url, headers=headers, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            refused = exc.__cause__ if isinstance(exc.__cause__, AddressRefused) else None
            text = (f"{refused}." if refused else
                    f"Cannot connect to {host}: the vendor's address did not answer.")
            raise ProviderError(Failure.NETWORK, text, retryable=refused is None) from exc
        except httpx.TimeoutException as exc:
            raise ProviderError(Failure.NETWORK, f"{host} did not answer in time.",
                                retryable=True, maybe_sent=True) from exc
        except httpx.InvalidURL as exc:
            raise ProviderError(Failure.REJECTED, f"The address {url!r} is not a valid URL.",
                                retryable=False) from exc
        except TooLarge as exc:
            raise ProviderError(Failure.PROVIDER_FAULT, f"The answer from {host} was too "
                                f"large: {exc}.",
                                retryable=False) from exc
        except httpx.HTTPError as exc:
            raise ProviderError(Failure.NETWORK,
                                f"The connection to {host} broke off before an answer came.",
                                retryable=True, maybe_sent=True) from exc
        return response

    def json_of(self, response: httpx.Response) -> Any:
        try:
            return response.json() if response.content else {}
        except ValueError:
            return {"_text": response.text[:500]}


def retry_after_seconds(response: httpx.Response, default: float | None = None) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return default


_LINK = re.compile(r"https?://\S+")
_POINTER_ASIDE = re.compile(
    r"\s*[(\[](?:see|visit|refer to|docs?|documentation|more(?: info)?(?: at)?)\b[^)\]]*"
    r"https?://[^)\]]*[)\]]", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_POINTERS = ("see", "visit", "refer to", "check", "for more", "more at", "docs", "documentation")


def _without_links(sentence: str) -> str:
    """A sentence without documentation pointers: nothing when it only pointed at a page, the
    aside taken out when one was added in brackets. Other URLs (a file that could not be
    fetched) are part of what went wrong and stay."""
    sentence = _POINTER_ASIDE.sub("", sentence)
    if not _LINK.search(sentence):
        return sentence
    rest = " ".join(_LINK.sub(" ", sentence).split()).strip(" .:;,-").lower()
    return "" if not rest or rest.startswith(_POINTERS) else sentence


def provider_words(*texts: Any) -> str:
    """The vendor's own words, once: the non-empty texts joined, every sentence kept only the
    first time it appears (gateways repeat the upstream message), documentation links taken
    out (a user cannot act on them inside a job's failure text)."""
    seen: list[str] = []
    keys: set[str] = set()
    for text in texts:
        if not isinstance(text, str):
            continue
        for sentence in _SENTENCE.split(" ".join(text.split())):
            sentence = _without_links(sentence.strip(" ;,"))
            key = sentence.lower().rstrip(".!?")
            if sentence and key not in keys:
                seen.append(sentence)
                keys.add(key)
    return " ".join(seen)
