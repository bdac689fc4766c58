"""`omni_batch` with an image given by web address, for a vendor that takes only files uploaded
to it: the image is downloaded (public addresses only, capped, checked like an upload), joins
the library, and is uploaded through the vendor's asset route before the create; what cannot
be used stops the batch before anything is sent. A vendor that fetches addresses itself gets
the address as it was written."""

import json

import pytest
from image_server import allow_this_machine, serving
from jobs.conftest import video_tasks

from storyboard.jobs.models import Job
from storyboard.library.models import ReferenceImage


@pytest.fixture
def images():
    with serving() as server:
        yield server


def _run(tmp_path, capsys, account, *items):
    from django.core.management import call_command

    path = tmp_path / "prompts.json"
    path.write_text(json.dumps(list(items)))
    code = 0
    try:
        call_command("omni_batch", str(path), "--account", account.label, "--out",
                     str(tmp_path / "out"), "--timeout", "60")
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_image_address_is_downloaded_and_uploaded_as_an_asset(tmp_path, capsys, cast, images,
                                                                 monkeypatch, sandbox,
                                                                 sandbox_account):
    allow_this_machine(monkeypatch)
    account = sandbox_account("useapi")
    url = f"{images.url}/chef.jpg"
    code, stdout, stderr = _run(tmp_path, capsys, account,
                                {"prompt": "A chef @image_1", "duration": "5", "image_1": url})
    assert code == 0, stdout + stderr
    job = Job.objects.get()
    assert job.state == "succeeded"
    image = ReferenceImage.objects.get()
    assert (image.team, image.name, image.width, image.height) == (cast.team_a, "chef", 800, 600)
    assert job.slot_sources == {"image_1": {"image": image.pk}}
    # The vendor got its own asset URL, for the library's (re-encoded) file.
    sent = job.request_body["image_1"]
    assert sent != url and "/files/assets/" in sent
    with sandbox.state.lock:
        assets = list(sandbox.state.assets.values())
    assert [(a.content_type, a.size) for a in assets] == [("image/jpeg", image.byte_size)]
    assert images.asked == ["/chef.jpg"]

    again = _run(tmp_path, capsys, account,
                 {"prompt": "A chef @image_1", "duration": "5", "image_1": url})
    assert again[0] == 0 and images.asked == ["/chef.jpg"]  # a rerun resumes: no new download
    assert len(video_tasks(sandbox, "useapi")) == 1


def test_a_private_address_stops_the_batch_before_anything_is_sent(tmp_path, capsys, cast,
                                                                   images, sandbox,
                                                                   sandbox_account):
    account = sandbox_account("useapi")
    url = f"{images.url}/chef.jpg"
    code, _, stderr = _run(tmp_path, capsys, account,
                           {"prompt": "A kite", "duration": "5"},
                           {"prompt": "A chef @image_1", "duration": "5", "image_1": url})
    assert code == 1
    assert (f"item 2: image_1: “{url}” could not be downloaded: 127.0.0.1 resolves to "
            f"127.0.0.1, a private or loopback address: refused. Nothing was submitted.") in stderr
    assert images.asked == [] and not Job.objects.exists()
    assert video_tasks(sandbox, "useapi") == [] and not ReferenceImage.objects.exists()


@pytest.mark.parametrize(("path", "why"), [
    ("/huge.jpg", "is larger than 10 MB: at most 10 MB"),
    ("/page.jpg", "is not an image the library takes: the file is an HTML page"),
])
def test_an_address_that_gives_no_usable_image_stops_the_batch(tmp_path, capsys, cast, images,
                                                               monkeypatch, sandbox,
                                                               sandbox_account, path, why):
    allow_this_machine(monkeypatch)
    account = sandbox_account("useapi")
    code, _, stderr = _run(tmp_path, capsys, account,
                           {"prompt": "A chef @image_1", "duration": "5",
                            "image_1": f"{images.url}/chef.jpg"},
                           {"prompt": "Bad @image_1", "duration": "5",
                            "image_1": f"{images.url}{path}"})
    assert code == 1 and f"item 2: image_1: “{images.url}{path}” {why}" in stderr
    assert not Job.objects.exists() and not ReferenceImage.objects.exists()
    with sandbox.state.lock:
        assert not sandbox.state.assets


def test_a_video_address_for_such_a_vendor_is_reported_by_the_checks(tmp_path, capsys, cast,
                                                                     sandbox, sandbox_account):
    account = sandbox_account("useapi")
    code, stdout, stderr = _run(tmp_path, capsys, account,
                                {"prompt": "A run @video_1", "duration": "5",
                                 "video_1": "https://cdn.example.com/run.mp4"})
    assert code == 1 and "Nothing was submitted" in stderr
    [report] = json.loads(stdout)
    assert any(p["field"] == "references" and "video_1: useapi.net takes only files uploaded "
               "to it, and a video is not downloaded from a web address" in p["message"]
               for p in report["problems"])


def test_a_vendor_that_fetches_addresses_gets_the_address_as_written(tmp_path, capsys, cast,
                                                                     images, sandbox,
                                                                     sandbox_account):
    account = sandbox_account("kling")
    url = "https://cdn.example.com/chef.jpg"
    code, stdout, stderr = _run(tmp_path, capsys, account,
                                {"prompt": "A chef @image_1", "duration": "5", "image_1": url})
    assert code == 0, stdout + stderr
    job = Job.objects.get()
    assert job.request_body["image_list"][0]["image_url"] == url
    assert images.asked == [] and not ReferenceImage.objects.exists()
