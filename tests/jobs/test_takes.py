"""Another take, on purpose: the first Submit of a storyboard version makes one job however
often it is pressed (a reload, a second tab); once it exists the editor offers "Submit another
take" with a fresh key and says what it costs, and a changed storyboard is a first take again."""

import re

from storyboard.jobs.models import Job


def submit_button(page: str) -> tuple[str, str]:
    """The editor's Submit button: its label and the key it sends."""
    button = re.search(r'<button type="button" id="submit-button"(.*?)>(.*?)</button>', page,
                       re.S)
    key = re.search(r'"submit_key": "([^"]+)"', button[1])
    return button[2], key[1] if key else ""


def note(page: str) -> str:
    found = re.search(r'<p id="submit-note"[^>]*>(.*?)</p>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found[1])).strip()


def test_submit_again_on_an_unchanged_storyboard_finds_its_job_then_offers_another_take(
        cast, board, queue, client_for):
    b = board()
    client = client_for(cast.editor)
    label, key = submit_button(client.get(b.get_absolute_url()).content.decode())
    assert label == "Submit"
    answer = client.post(f"/jobs/submit/{b.pk}/", {"submit_key": key, "version": b.version},
                         HTTP_HX_REQUEST="true")
    assert answer["HX-Trigger"] == "job-submitted"  # the editor redraws its button
    first = Job.objects.get()

    # A reload (or a second tab) of the same version: the button says what a press makes.
    page = client.get(b.get_absolute_url()).content.decode()
    label, another = submit_button(page)
    assert label == "Submit another take" and another != key
    assert note(page) == (f"Version {b.version} was submitted as job {first.short_id}. "
                          "Another take is a new job. Cost: Free: the animatic is rendered "
                          "on this machine.")
    # The stale first-take key finds the first job: nothing is paid twice.
    client.post(f"/jobs/submit/{b.pk}/", {"submit_key": key, "version": b.version},
                HTTP_HX_REQUEST="true")
    assert Job.objects.count() == 1

    client.post(f"/jobs/submit/{b.pk}/", {"submit_key": another, "version": b.version},
                HTTP_HX_REQUEST="true")
    assert Job.objects.count() == 2
    # Each render offers a new key: a third take is a third job, a double click is not.
    _, third = submit_button(client.get(b.get_absolute_url()).content.decode())
    assert third not in (key, another)
    for _ in range(2):
        client.post(f"/jobs/submit/{b.pk}/", {"submit_key": third, "version": b.version},
                    HTTP_HX_REQUEST="true")
    assert Job.objects.count() == 3


def test_a_changed_storyboard_is_a_first_take_again(cast, board, queue, client_for):
    b = board()
    client = client_for(cast.editor)
    _, key = submit_button(client.get(b.get_absolute_url()).content.decode())
    client.post(f"/jobs/submit/{b.pk}/", {"submit_key": key, "version": b.version})
    b.version += 1
    b.save(update_fields=["version"])
    label, new_key = submit_button(client.get(b.get_absolute_url()).content.decode())
    assert label == "Submit" and new_key not in (key, "")


def test_the_cost_of_another_take_comes_from_the_rate_card(cast, board, queue, client_for,
                                                           sandbox_account):
    from storyboard.boards.models import RateCard

    b = board(sandbox_account("kling"))
    RateCard.objects.create(team=cast.team_a, unit="USD", prices={f"kling:{b.model}:{b.mode}":
                                                                   "0.1"})
    client = client_for(cast.editor)
    _, key = submit_button(client.get(b.get_absolute_url()).content.decode())
    client.post(f"/jobs/submit/{b.pk}/", {"submit_key": key, "version": b.version})
    assert note(client.get(b.get_absolute_url()).content.decode()).endswith(
        "Another take is a new job. Cost: ≈ 0.50 USD (5 s × 0.10 USD per second, "
        f"kling {b.model} {b.mode})")


def test_a_viewer_is_offered_no_take(cast, board, client_for):
    page = client_for(cast.viewer).get(board().get_absolute_url()).content.decode()
    label, key = submit_button(page)
    assert label == "Submit" and key == ""
