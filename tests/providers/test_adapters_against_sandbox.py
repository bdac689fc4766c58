"""The real adapters against the sandbox over loopback HTTP: the whole provider path (media,
elements, create, poll, result files, download) and every error class, offline."""

from __future__ import annotations

import hashlib
import time

import httpx
import pytest
from providers.sandbox_helpers import jpeg, probe, running, wait_for

from storyboard.providers.base import (
    Account,
    ElementSpec,
    Failure,
    Media,
    ProviderError,
    TaskState,
)
from storyboard.providers.http import build_client, download
from storyboard.providers.prepare import ElementSource, prepare_refs
from storyboard.providers.registry import provider_for
from storyboard.providers.sandbox import SANDBOX_CREDENTIALS, base_urls
from storyboard.rules import Attachment, BodyOptions, Settings, Shot, Storyboard, Target, check

DIALECTS = ["useapi", "kling", "cometapi", "apimart"]


@pytest.fixture
def sandbox(tmp_path):
    with running(tmp_path / "sandbox") as sb:
        yield sb


def adapter(sandbox, dialect, **credentials):
    url = base_urls(sandbox.url)[dialect]
    account = Account(dialect, url, {**SANDBOX_CREDENTIALS[dialect], **credentials},
                      sandbox=True, vip=True, label=f"sandbox {dialect}")
    return provider_for(account)


def image_media(tmp_path, name="ref.jpg", *, public_root=None) -> Media:
    path = tmp_path / name
    path.write_bytes(jpeg(640, 480))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    public = f"{public_root}/files/{name}" if public_root else None
    return Media(path, "image/jpeg", digest, public)


def storyboard(dialect, *, shots=None, prompt="A lighthouse at dusk @image_1", attachments=None):
    multi = shots is not None
    return Storyboard(
        settings=Settings(mode="std", aspect_ratio="16:9", multi_shot=multi,
                          prompt="" if multi else prompt, duration=5),
        target=Target(dialect, "v3"),
        shots=tuple(Shot(p, d) for p, d in shots or ()),
        attachments=attachments if attachments is not None else {
            "image_1": Attachment("ref.jpg")},
    )


def run_to_the_end(provider, sb, refs, options=None):
    assert check(sb, sb.target).ok, check(sb, sb.target).to_dict()
    handle = provider.create_task(sb, refs, options or BodyOptions())
    status = wait_for(lambda: provider.get_task(handle.task_id), lambda s: s.final)
    return handle, status


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_multi_shot_storyboard_with_an_image_becomes_a_real_clip(dialect, sandbox, tmp_path):
    provider = adapter(sandbox, dialect)
    media = image_media(tmp_path, public_root=sandbox.url)
    sb = storyboard(dialect, shots=[("Wide shot of the coast @image_1", 2),
                                    ("Close on the lamp @image_1", 3)])
    prepared = prepare_refs(provider, sb, media=lambda slot: media, elements=lambda s: None,
                            element_ids={})
    _, status = run_to_the_end(provider, sb, prepared.refs,
                               BodyOptions(external_task_id=f"job-{dialect}"))
    assert status.state == TaskState.SUCCEEDED, status.reason
    best = provider.result_files(status)[0]
    with build_client(allow_loopback=True) as client:
        clip = download(client, best.url, tmp_path / "clip.mp4", max_bytes=50_000_000)
    duration, _, _ = probe(clip.path.read_bytes())
    assert abs(duration - 5) < 0.1
    if dialect == "useapi":
        assert not best.watermarked  # the clean master, preferred over the watermarked file


def test_useapi_uploads_each_file_once_and_creates_an_element_once(sandbox, tmp_path):
    provider = adapter(sandbox, "useapi")
    face = image_media(tmp_path, "face.jpg")
    spec = ElementSpec("Keeper", "The lighthouse keeper", "character", frontal=face)
    source = ElementSource("ev:1", spec)
    element_ids: dict[str, str] = {}
    sb = storyboard("useapi", prompt="@element_1 climbs the stairs, lit by @image_1",
                    attachments={"image_1": Attachment("face.jpg"),
                                 "element_1": Attachment("Keeper", name="Keeper",
                                                         frontal_image="face.jpg")})
    first = prepare_refs(provider, sb, media=lambda s: face, elements=lambda s: source,
                         element_ids=element_ids)
    second = prepare_refs(provider, sb, media=lambda s: face, elements=lambda s: source,
                          element_ids=element_ids)
    assert first.refs == second.refs
    assert first.refs["element_1"].startswith("u_")
    assert element_ids == {"ev:1": first.refs["element_1"]}
    _, status = run_to_the_end(provider, sb, first.refs)
    assert status.state == TaskState.SUCCEEDED


def test_kling_creates_elements_as_a_task_and_the_job_waits_for_the_id(sandbox, tmp_path):
    provider = adapter(sandbox, "kling")
    face = image_media(tmp_path, "face.jpg")
    source = ElementSource("ev:7", ElementSpec("Keeper", "Keeper", "character", frontal=face,
                                               extra=(face,)))
    sb = storyboard("kling", prompt="@element_1 waves", attachments={
        "element_1": Attachment("Keeper", name="Keeper", frontal_image="face.jpg")})
    ids: dict[str, str] = {}
    tasks: dict[str, str] = {}
    first = prepare_refs(provider, sb, media=lambda s: None, elements=lambda s: source,
                         element_ids=ids, element_tasks=tasks)
    assert not first.ready and "element_1" in first.pending_elements
    later = wait_for(lambda: prepare_refs(provider, sb, media=lambda s: None,
                                          elements=lambda s: source, element_ids=ids,
                                          element_tasks=tasks), lambda p: p.ready)
    assert ids["ev:7"] == later.refs["element_1"] and tasks == {}
    _, status = run_to_the_end(provider, sb, later.refs)
    assert status.state == TaskState.SUCCEEDED


def test_cometapi_sends_an_element_without_an_id_as_its_frontal_image(sandbox, tmp_path):
    provider = adapter(sandbox, "cometapi")
    face = image_media(tmp_path, "face.jpg")
    source = ElementSource("ev:3", ElementSpec("Keeper", "", "character", frontal=face))
    sb = storyboard("cometapi", prompt="@element_1 waves", attachments={
        "element_1": Attachment("Keeper", name="Keeper", frontal_image="face.jpg")})
    prepared = prepare_refs(provider, sb, media=lambda s: None, elements=lambda s: source,
                            element_ids={})
    assert "sent as its frontal image" in prepared.notes[0]
    _, status = run_to_the_end(provider, sb, prepared.refs)
    assert status.state == TaskState.SUCCEEDED


def test_a_video_reference_goes_through(sandbox, tmp_path):
    from storyboard.providers.animatic import render_animatic

    clip = render_animatic(storyboard("animatic", prompt="reference motion", attachments={}),
                           tmp_path / "ref.mp4", size=(1280, 720))
    video = Media(clip.path, "video/mp4",
                  hashlib.sha256(clip.path.read_bytes()).hexdigest())
    provider = adapter(sandbox, "useapi")
    sb = storyboard("useapi", prompt="Continue the motion of @video_1", attachments={
        "video_1": Attachment("ref.mp4", refer_type="feature")})
    prepared = prepare_refs(provider, sb, media=lambda s: video, elements=lambda s: None,
                            element_ids={})
    _, status = run_to_the_end(provider, sb, prepared.refs)
    assert status.state == TaskState.SUCCEEDED


@pytest.mark.parametrize("dialect, fault, kind, retryable", [
    ("useapi", "429", Failure.RATE_LIMITED, True),
    ("kling", "429", Failure.RATE_LIMITED, True),
    ("cometapi", "429", Failure.RATE_LIMITED, True),
    ("apimart", "429", Failure.RATE_LIMITED, True),
    ("useapi", "moderation", Failure.MODERATION, False),
    ("kling", "moderation", Failure.MODERATION, False),
    ("useapi", "5xx", Failure.PROVIDER_FAULT, True),
    ("kling", "5xx", Failure.PROVIDER_FAULT, True),
    ("kling", "credits", Failure.CREDITS, False),
])
def test_faults_on_create_map_to_the_right_kind(sandbox, dialect, fault, kind, retryable):
    provider = adapter(sandbox, dialect)
    sb = storyboard(dialect, prompt=f"A quiet harbour [sandbox:{fault}]", attachments={})
    with pytest.raises(ProviderError) as caught:
        provider.create_task(sb, {}, BodyOptions())
    assert (caught.value.kind, caught.value.retryable) == (kind, retryable)
    if kind == Failure.RATE_LIMITED:
        assert caught.value.retry_after is not None


@pytest.mark.parametrize("dialect, fault, failure", [
    ("useapi", "poll404", Failure.NOT_FOUND),
    ("kling", "moderation-task", Failure.MODERATION),
    ("kling", "fail", Failure.PROVIDER_FAULT),
    ("apimart", "fail", Failure.PROVIDER_FAULT),
])
def test_task_level_failures_end_the_task_with_the_providers_words(sandbox, dialect, fault,
                                                                  failure):
    provider = adapter(sandbox, dialect)
    sb = storyboard(dialect, prompt=f"A quiet harbour [sandbox:{fault}]", attachments={})
    _, status = run_to_the_end(provider, sb, {})
    assert status.state == TaskState.FAILED and status.failure == failure
    assert status.reason


@pytest.mark.parametrize("dialect, credentials", [
    ("useapi", {"token": "wrong"}), ("kling", {"secret_key": "wrong"}),
    ("cometapi", {"api_key": "wrong"}), ("apimart", {"api_key": "wrong"})])
def test_wrong_credentials_are_an_authentication_failure(sandbox, dialect, credentials):
    with pytest.raises(ProviderError) as caught:
        adapter(sandbox, dialect, **credentials).test_connection()
    assert caught.value.kind == Failure.AUTHENTICATION and not caught.value.retryable


def test_a_kling_token_minted_with_a_stale_clock_is_re_minted_once(sandbox):
    provider = adapter(sandbox, "kling")
    readings = iter([time.time() - 4000])
    provider.clock = lambda: next(readings, time.time())
    assert "accepted" in provider.test_connection()


def test_a_kling_task_is_found_by_our_own_id_after_a_lost_answer(sandbox):
    provider = adapter(sandbox, "kling")
    sb = storyboard("kling", prompt="A quiet harbour", attachments={})
    assert provider.find_task("job-never-sent") is None
    handle = provider.create_task(sb, {}, BodyOptions(external_task_id="job-77"))
    found = provider.find_task("job-77")
    assert found is not None and found.task_id == handle.task_id


def test_a_truncated_download_is_refused_and_leaves_no_file(sandbox, tmp_path):
    provider = adapter(sandbox, "kling")
    sb = storyboard("kling", prompt="A quiet harbour [sandbox:truncate]", attachments={})
    _, status = run_to_the_end(provider, sb, {})
    with build_client(allow_loopback=True) as client, pytest.raises(httpx.HTTPError):
        download(client, status.results[0].url, tmp_path / "out.mp4", max_bytes=50_000_000)
    assert not (tmp_path / "out.mp4").exists()
