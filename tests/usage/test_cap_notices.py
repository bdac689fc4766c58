"""Owners are told when a month reaches 80 % of a cap: a notice on the Usage page and in the
editor's submit area while it stands, and a one-time message on the next page each owner
opens after the submission that reached it."""

from decimal import Decimal
from html import unescape

from storyboard.jobs.actions import submit_job
from storyboard.teams.models import Team

HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml"}
NOTICE = "This month's spend has reached 90 % of the team's cap: 0.90 USD of 1.00 USD."


def _cap_team(cast, amount):
    cast.team_a.monthly_cap = Decimal(amount)
    cast.team_a.save()


def test_reaching_80_percent_leaves_one_message_for_each_owner(cast, board, rate_card, spent,
                                                               queue, client_for):
    _cap_team(cast, "1.00")
    spent("0.40")
    owner = client_for(cast.owner)
    assert NOTICE not in unescape(owner.get("/storyboards/", **HTML).content.decode())
    submit_job(board(), cast.editor, "k")  # 0.40 + 0.50: 90 %
    team = Team.objects.get(pk=cast.team_a.pk)
    assert team.spend_notice == NOTICE and team.cap_notice_month
    first = unescape(owner.get("/storyboards/", **HTML).content.decode())
    assert NOTICE in first and "Team settings → Usage" in first
    assert NOTICE not in unescape(owner.get("/storyboards/", **HTML).content.decode())  # once
    # The editor who submitted is no owner: no message for them.
    editor = client_for(cast.editor).get("/storyboards/", **HTML)
    assert NOTICE not in unescape(editor.content.decode())


def test_the_message_is_given_once_a_month_per_cap(cast, board, rate_card, spent, queue):
    _cap_team(cast, "10.00")
    spent("8.00")
    submit_job(board(), cast.editor, "k1")
    first = Team.objects.get(pk=cast.team_a.pk).spend_notice_at
    submit_job(board(), cast.editor, "k2")
    assert Team.objects.get(pk=cast.team_a.pk).spend_notice_at == first


def test_below_80_percent_nothing_is_said(cast, board, rate_card, queue):
    _cap_team(cast, "10.00")
    submit_job(board(), cast.editor, "k")
    assert Team.objects.get(pk=cast.team_a.pk).spend_notice == ""


def test_an_account_reaching_80_percent_is_named(cast, board, rate_card, spent, kling, queue):
    kling.monthly_cap = Decimal("0.60")
    kling.save()
    submit_job(board(), cast.editor, "k")
    assert Team.objects.get(pk=cast.team_a.pk).spend_notice == (
        "This month's spend has reached 83 % of the cap of account “Studio Kling”: 0.50 USD of "
        "0.60 USD.")


def test_the_usage_page_and_the_editor_show_the_notice_while_it_stands(
        cast, board, rate_card, spent, queue, client_for):
    _cap_team(cast, "1.00")
    spent("0.90")
    b = board()
    usage = unescape(client_for(cast.owner).get("/team/usage/").content.decode())
    assert NOTICE in usage
    editor = unescape(client_for(cast.editor).get(f"/storyboards/{b.pk}/").content.decode())
    assert NOTICE in editor
    # …and the editor says before Submit is pressed that this one would pass the cap.
    assert ("Submit would be refused: This submission (~0.50 USD) would bring this month's "
            "spend to 1.40 USD, over the team's cap of 1.00 USD") in editor


def test_without_caps_the_editor_says_nothing_of_them(cast, board, rate_card, client_for):
    editor = unescape(client_for(cast.editor).get(f"/storyboards/{board().pk}/").content.decode())
    assert "cap-notice" not in editor and "would be refused" not in editor
