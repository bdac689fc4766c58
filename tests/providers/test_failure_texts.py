"""Each failure is one kind and one clean text: the provider's own words, once, with no library
exception text and no documentation links (the worker adds one lead sentence per kind)."""

import httpx
import pytest
from recorded import Replay, answer, provider, two_shot_kitchen

from storyboard.providers.apimart import recorded as apimart
from storyboard.providers.base import Account, Failure, ProviderError, TaskState, provider_words
from storyboard.providers.cometapi import recorded as cometapi
from storyboard.providers.kling import recorded as kling
from storyboard.providers.registry import provider_for
from storyboard.providers.useapi import recorded as useapi
from storyboard.rules import BodyOptions

CREATE_PATH = {"useapi": "/videos/omni", "kling": "/v1/videos/omni-video",
               "cometapi": "/kling/v1/videos/omni-video", "apimart": "/v1/videos/generations"}


def _create_error(dialect: str, status: int, body) -> ProviderError:
    replay = Replay({("POST", CREATE_PATH[dialect]): answer(status, body)})
    with pytest.raises(ProviderError) as caught:
        provider(dialect, replay).create_task(two_shot_kitchen(dialect), {}, BodyOptions())
    return caught.value


def test_a_useapi_failed_task_reads_error_before_the_generic_message():
    replay = Replay({("GET", "/tasks/1"): answer(200, useapi.FAILED_PLAIN)})
    status = provider("useapi", replay).get_task("1")
    assert status.state == TaskState.FAILED and status.failure == Failure.PROVIDER_FAULT
    assert status.reason == "Generation failed, please try again"


def test_a_useapi_failed_task_with_a_moderation_code_is_moderation():
    replay = Replay({("GET", "/tasks/1"): answer(200, useapi.FAILED_MODERATION)})
    status = provider("useapi", replay).get_task("1")
    assert status.failure == Failure.MODERATION
    assert status.reason == ("Your prompt may violate the community guidelines. "
                             "(CM_EXT.POther)")


def test_a_useapi_error_is_the_error_text_alone():
    error = _create_error("useapi", 500, useapi.MODERATION_500)
    assert error.kind == Failure.MODERATION and not error.retryable
    assert error.message == "Your prompt may violate the community guidelines. (CM_EXT.POther)"


@pytest.mark.parametrize("dialect, status, body", [
    ("useapi", 400, useapi.INSUFFICIENT_CREDITS_400),
    ("cometapi", 403, cometapi.INSUFFICIENT_QUOTA_403),
    ("kling", 429, kling.RESOURCE_PACK_EXHAUSTED),
    ("apimart", 402, apimart.INSUFFICIENT_BALANCE_402),
])
def test_insufficient_credits_is_a_credits_failure_on_every_dialect(dialect, status, body):
    error = _create_error(dialect, status, body)
    assert error.kind == Failure.CREDITS and not error.retryable


def test_the_gateways_request_id_trace_is_not_part_of_the_words():
    error = _create_error("cometapi", 403, cometapi.INSUFFICIENT_QUOTA_403)
    assert error.message == "insufficient user quota"


@pytest.mark.parametrize("dialect, status, body", [
    ("kling", 400, kling.CONTENT_SECURITY),
    ("cometapi", 400, cometapi.UPSTREAM_MODERATION_400),
])
def test_code_1301_is_moderation_and_its_sentence_comes_once(dialect, status, body):
    error = _create_error(dialect, status, body)
    assert error.kind == Failure.MODERATION and error.code == 1301
    assert error.message == "Content security check failed"


def test_a_useapi_404_naming_an_element_reports_it_missing():
    error = _create_error("useapi", 404, useapi.MISSING_ELEMENT_404)
    assert error.kind == Failure.NOT_FOUND and error.missing_elements == ("u_gone1",)
    assert not error.stale_uploads


def test_a_useapi_404_naming_no_element_means_the_uploads_are_stale():
    error = _create_error("useapi", 404, useapi.RESOURCE_NOT_FOUND_404)
    assert error.kind == Failure.NOT_FOUND and error.stale_uploads
    assert error.missing_elements == ()


@pytest.mark.parametrize("dialect", ["kling", "cometapi"])
def test_a_missing_element_answer_names_the_element(dialect):
    error = _create_error(dialect, 400, kling.MISSING_ELEMENT)
    assert error.kind == Failure.REJECTED and not error.retryable
    assert error.missing_elements == ("307212335131305",)


@pytest.mark.parametrize("exc, kind", [
    (httpx.ConnectError("[Errno 111] Connection refused"), Failure.NETWORK),
    (httpx.ReadTimeout("timed out"), Failure.NETWORK),
    (httpx.RemoteProtocolError("peer closed connection without sending complete message "
                               "body (incomplete chunked read)"), Failure.NETWORK),
])
def test_transport_failures_are_told_in_our_words_not_the_librarys(exc, kind):
    def fail(request):
        raise exc

    account = Account("kling", "https://api.example.com", {"access_key": "a",
                                                           "secret_key": "b"})
    p = provider_for(account, client=httpx.Client(transport=httpx.MockTransport(fail)))
    with pytest.raises(ProviderError) as caught:
        p.get_task("1")
    assert caught.value.kind == kind
    assert str(exc) not in caught.value.message and "api.example.com" in caught.value.message


def test_provider_words_drop_repeated_sentences_and_links():
    assert provider_words("Invalid parameter. See https://docs.example.com/errors#1201 for more.",
                          "Invalid parameter.", None) == "Invalid parameter."
    assert provider_words("Quota exceeded.", "quota exceeded", "") == "Quota exceeded."
    assert provider_words("Bad duration (see https://docs.example.com/omni).") == "Bad duration."
    assert provider_words("The image https://x.example/a.png could not be read.") == (
        "The image https://x.example/a.png could not be read.")
