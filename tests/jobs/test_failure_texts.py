"""What a person reads when a job fails: one plain sentence of ours saying what kind of failure
it is, then the provider's own words, once — on every sandbox dialect."""

import pytest

from storyboard.jobs.actions import submit_job
from storyboard.jobs.failures import plain

DIALECTS = ["useapi", "kling", "cometapi", "apimart"]
LEADS = {
    "moderation": ("moderation", "Refused by the provider's content moderation."),
    "credits": ("credits", "The provider account is out of credits or quota."),
    "fail": ("provider_error", "The provider says the video failed."),
    "moderation-task": ("moderation", "The provider's content moderation stopped the video."),
}


@pytest.mark.parametrize("fault", list(LEADS))
@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_failure_reads_as_our_sentence_then_the_providers_words(dialect, fault, cast, board,
                                                                  queue, sandbox_account):
    if dialect == "apimart" and fault == "moderation":
        fault = "moderation-task"  # APIMart reports moderation on the task, not the create
    job = queue.drive(submit_job(board(sandbox_account(dialect),
                                       prompts=(f"A [sandbox:{fault}]", "B")), cast.editor, "k"))
    failure, lead = LEADS[fault]
    assert (job.state, job.failure) == ("failed", failure)
    words = job.provider_text
    assert words and job.failure_text == f"{lead} {words}"
    assert job.failure_text.count(words) == 1
    # No library or transport text, no documentation links.
    for noise in ("httpx", "Traceback", "http://", "https://", "ProviderError"):
        assert noise not in job.failure_text


def test_the_providers_words_never_repeat_our_sentence_or_themselves():
    lead = "Refused by the provider's content moderation."
    assert plain(lead, "Refused by the provider's content moderation. Risky prompt.") == \
        f"{lead} Risky prompt."
    assert plain(lead, "Risky prompt. Risky prompt.") == f"{lead} Risky prompt."
    assert plain(lead, "") == lead
    # A sentence of theirs that merely contains ours is their own and stays.
    assert plain("The provider failed.", "The provider failed to render v1.6 clips.") == \
        "The provider failed. The provider failed to render v1.6 clips."


def test_a_task_the_provider_forgot_names_the_possible_causes_once(cast, board, queue,
                                                                   sandbox_account):
    job = queue.drive(submit_job(board(sandbox_account("useapi"),
                                       prompts=("A [sandbox:poll404]", "B")), cast.editor, "k"))
    assert job.state == "failed"
    assert job.failure_text.count("deleted") == 1 and job.failure_text.count("credits") == 1
