"""A monthly spending cap per team and per account: a submission that would pass it is refused
before anything is sent, with the figures, on every path that submits — the editor's Submit,
a retry, the API and omni_batch. Jobs record their estimate, so a month's spend is a sum."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from api.api_client import Api
from django.core.management import call_command

from storyboard.api.actions import create_token
from storyboard.jobs.actions import SubmitRefused, retry_job, submit_job
from storyboard.jobs.models import Job

OVER_TEAM = ("This submission (~0.50 USD) would bring this month's spend to 1.30 USD, over the "
             "team's cap of 1.00 USD (spent so far this month: 0.80 USD).")


def _cap_team(cast, amount):
    cast.team_a.monthly_cap = Decimal(amount)
    cast.team_a.save()


def test_a_job_records_the_rate_cards_estimate(cast, board, rate_card, queue):
    job = submit_job(board(), cast.editor, "k")
    assert job.estimated_cost == Decimal("0.5")


def test_without_a_price_and_without_a_cap_the_job_goes_with_no_estimate(cast, board, queue):
    job = submit_job(board(), cast.editor, "k")
    assert job.estimated_cost is None and queue.tasks


def test_a_submission_over_the_team_cap_is_refused_with_the_figures(cast, board, rate_card,
                                                                    spent, queue):
    _cap_team(cast, "1.00")
    spent("0.80")
    with pytest.raises(SubmitRefused) as refused:
        submit_job(board(), cast.editor, "k")
    assert str(refused.value) == OVER_TEAM
    assert refused.value.spend.figures() == {
        "cap_of": "team", "name": "Team A", "unit": "USD", "estimate": "0.50", "spent": "0.80",
        "would_be": "1.30", "cap": "1.00"}
    assert Job.objects.count() == 1 and not queue.tasks  # nothing new, nothing sent


def test_a_submission_that_reaches_the_cap_exactly_goes(cast, board, rate_card, spent, queue):
    _cap_team(cast, "1.30")
    spent("0.80")
    assert submit_job(board(), cast.editor, "k").estimated_cost == Decimal("0.5")


def test_failed_cancelled_unsent_animatic_and_last_months_jobs_cost_nothing(
        cast, board, rate_card, spent, queue):
    _cap_team(cast, "1.00")
    spent("5.00", state="failed", failure="moderation")
    spent("5.00", state="cancelled", sent=False)
    spent("5.00", ago=timedelta(days=40))
    spent("0.50", state="processing")  # counts: it may still be charged
    job = submit_job(board(), cast.editor, "k")
    assert job.estimated_cost == Decimal("0.5")
    spent("0.01", state="cancelled", sent=True)  # cancelled after it was sent: it counts
    with pytest.raises(SubmitRefused, match="bring this month's spend to 1.51 USD"):
        submit_job(board(), cast.editor, "k2")


def test_an_account_cap_names_the_account(cast, board, rate_card, spent, kling, queue):
    kling.monthly_cap = Decimal("0.60")
    kling.save()
    spent("0.20")
    with pytest.raises(SubmitRefused) as refused:
        submit_job(board(), cast.editor, "k")
    assert str(refused.value) == (
        "This submission (~0.50 USD) would bring this month's spend to 0.70 USD, over the cap of "
        "account “Studio Kling” of 0.60 USD (spent so far this month: 0.20 USD).")
    assert refused.value.spend.cap.field == "account.monthly_cap"


def test_a_capped_target_without_a_price_is_refused_saying_a_price_is_needed(
        cast, board, queue):
    _cap_team(cast, "100")
    with pytest.raises(SubmitRefused) as refused:
        submit_job(board(), cast.editor, "k")
    assert str(refused.value) == (
        "A price is needed for capped targets: the team's cap applies, and the team's rate "
        "card is empty, so this submission's cost cannot be judged. An owner can add a price "
        "per second on Team settings → Rate card.")
    assert not Job.objects.exists()


def test_the_local_animatic_is_never_capped(cast, board, rate_card, queue):
    _cap_team(cast, "0")
    assert submit_job(board(account=None), cast.editor, "k").estimated_cost == 0


def test_a_retry_is_judged_like_a_submission(cast, board, rate_card, spent, queue):
    failed = spent("0.50", state="failed", failure="provider_error")
    failed.snapshot = Job.objects.get(pk=submit_job(board(), cast.editor, "k").pk).snapshot
    failed.save()
    _cap_team(cast, "0.70")  # 0.50 spent by the job just made; the retry would bring 1.00
    with pytest.raises(SubmitRefused, match="over the team's cap of 0.70 USD"):
        retry_job(failed, cast.editor, "retry")


def test_the_editors_submit_shows_the_refusal_and_sends_nothing(cast, board, rate_card, spent,
                                                               queue, client_for):
    _cap_team(cast, "1.00")
    spent("0.80")
    b = board()
    client = client_for(cast.editor)
    response = client.post(f"/jobs/submit/{b.pk}/", {"submit_key": "k", "version": b.version},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Not submitted." in response.content.decode()
    assert OVER_TEAM in response.content.decode().replace("&#x27;", "'")
    page = client.post(f"/jobs/submit/{b.pk}/", {"submit_key": "k", "version": b.version},
                       follow=True)
    assert OVER_TEAM in page.content.decode().replace("&#x27;", "'")
    assert Job.objects.count() == 1 and not queue.tasks


def test_the_api_answers_422_naming_the_cap_with_the_figures(cast, board, rate_card, spent,
                                                             queue):
    _cap_team(cast, "1.00")
    spent("0.80")
    b = board()
    api = Api(create_token(cast.member(cast.editor), "caps")[1])
    response = api.post(f"/storyboards/{b.pk}/submit", headers={"Idempotency-Key": "run-1"})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["field"] == "team.monthly_cap" and body["detail"] == OVER_TEAM
    assert body["spend"] == {"cap_of": "team", "name": "Team A", "unit": "USD",
                             "estimate": "0.50", "spent": "0.80", "would_be": "1.30",
                             "cap": "1.00"}
    assert body["problems"] == [] and Job.objects.count() == 1 and not queue.tasks


def _batch(tmp_path, n):
    path = tmp_path / "prompts.json"
    path.write_text(json.dumps([{"prompt": f"A red kite, take {i}", "duration": "5"}
                                for i in range(n)]))
    return path


def _omni_batch(path, capsys):
    code = 0
    try:
        call_command("omni_batch", str(path), "--account", "Studio Kling", "--timeout", "1")
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().err


def test_omni_batch_is_refused_as_a_whole_before_anything_is_sent(cast, kling, rate_card,
                                                                  tmp_path, capsys, queue):
    _cap_team(cast, "0.80")  # one item (0.50) would fit; the two together (1.00) do not
    code, stderr = _omni_batch(_batch(tmp_path, 2), capsys)
    assert code == 1
    assert ("This batch of 2 new items (~1.00 USD) would bring this month's spend to 1.00 USD, "
            "over the team's cap of 0.80 USD (spent so far this month: 0.00 USD). Nothing was "
            "submitted.") in stderr
    assert not Job.objects.exists()


def test_omni_batch_refused_midway_says_which_item_and_what_was_submitted(
        cast, kling, rate_card, tmp_path, capsys, queue, monkeypatch, spent):
    """Another submission takes the cap's room between the batch's own check and its second
    item: that item is refused under the lock, and the message says what went."""
    from storyboard.jobs import batch

    _cap_team(cast, "1.00")
    monkeypatch.setattr(batch, "_within_caps", lambda items, account: None)
    original = batch._create_job

    def then_someone_else_submits(*args, **kwargs):
        job = original(*args, **kwargs)
        spent("0.40")
        return job

    monkeypatch.setattr(batch, "_create_job", then_someone_else_submits)
    code, stderr = _omni_batch(_batch(tmp_path, 2), capsys)
    assert code == 1
    assert ("item 2: This submission (~0.50 USD) would bring this month's spend to 1.40 USD"
            in stderr)
    assert "1 item(s) of the file are submitted; a rerun follows them." in stderr
    assert Job.objects.filter(submit_key__startswith="batch:").count() == 1
