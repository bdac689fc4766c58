"""A provider account is not removed while jobs still use it: the refusal says how many and
where, and nothing is deleted. Once every job is final, it goes (the jobs keep their history)."""

import pytest

from storyboard.boards.models import Storyboard
from storyboard.jobs.models import Job
from storyboard.teams.accounts import AccountError, AccountInput, add_account, remove_account
from storyboard.teams.models import ProviderAccount


@pytest.fixture
def account(cast):
    return add_account(cast.team_a, AccountInput("kling", "Studio Kling",
                                                 {"access_key": "ak", "secret_key": "sk"}))


def _job(cast, account, key, state, *, board_title=None, title="Batch item 1"):
    board = (Storyboard.objects.create(team=cast.team_a, title=board_title, account=account,
                                       created_by=cast.editor) if board_title else None)
    return Job.objects.create(team=cast.team_a, storyboard=board, account=account,
                              created_by=cast.editor, submit_key=key, dialect="kling",
                              model="o1", title=title, snapshot={}, state=state)


def test_removal_is_refused_while_jobs_run_naming_how_many_and_where(cast, account):
    _job(cast, account, "a", "processing", board_title="Kitchen")
    _job(cast, account, "b", "queued", title="Batch item 2")
    _job(cast, account, "c", "succeeded", board_title="Old one")
    with pytest.raises(AccountError) as refused:
        remove_account(account)
    message = str(refused.value)
    assert message.startswith("2 jobs still use this account: “Kitchen” (processing), "
                              "“Batch item 2” (queued).")
    assert "Cancel them or wait" in message and "Old one" not in message
    assert ProviderAccount.objects.filter(pk=account.pk).exists()
    assert Job.objects.filter(account=account).count() == 3


def test_one_running_job_is_named_in_the_singular_and_many_are_cut_short(cast, account):
    _job(cast, account, "a", "downloading", board_title="Coast")
    with pytest.raises(AccountError, match=r"^1 job still uses this account: “Coast” "
                                           r"\(downloading\)\."):
        remove_account(account)
    for n in range(6):
        _job(cast, account, f"more{n}", "submitted", title=f"Item {n}")
    with pytest.raises(AccountError, match=r"^7 jobs still use this account: .* and 2 more\."):
        remove_account(account)


def test_an_account_whose_jobs_are_all_final_is_removed_and_the_jobs_stay(cast, account):
    for n, state in enumerate(("succeeded", "failed", "cancelled")):
        _job(cast, account, f"k{n}", state, board_title=f"Board {n}")
    remove_account(account)
    assert not ProviderAccount.objects.filter(pk=account.pk).exists()
    assert Job.objects.filter(account__isnull=True).count() == 3


def test_removing_an_account_already_gone_does_nothing(cast, account):
    ProviderAccount.objects.filter(pk=account.pk).delete()
    remove_account(account)
    assert not ProviderAccount.objects.exists()


def test_the_team_page_and_the_command_line_say_why_instead_of_failing(cast, account,
                                                                         client_for):
    from django.core.management import CommandError, call_command

    _job(cast, account, "a", "processing", board_title="Kitchen")
    response = client_for(cast.owner).post(f"/team/accounts/{account.pk}/remove/", follow=True)
    assert response.status_code == 200
    assert "1 job still uses this account: “Kitchen” (processing)." in response.content.decode()
    with pytest.raises(CommandError, match="1 job still uses this account"):
        call_command("accounts", "remove", "--team", cast.team_a.name, "--label", "Studio Kling")
    assert ProviderAccount.objects.filter(pk=account.pk).exists()
