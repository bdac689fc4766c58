"""Changes to what a team may spend are logged like the other owners' changes: a cap (the team's
on the Usage page, an account's on its form) with its figure before and after, and the rate card
— its prices drive the estimates that caps judge — with each price that changed."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from storyboard.audit.models import AuditEvent
from storyboard.boards.actions import save_rate_card
from storyboard.usage.actions import set_team_cap

Kind = AuditEvent.Kind
HOME = "203.0.113.9"


def rows(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("created_at", "id"))


def test_the_team_cap_set_changed_and_removed_is_logged_by_its_owner(cast, client_for):
    owner: Client = client_for(cast.owner)
    for value in ("250.5", "250.50", "100", ""):  # 250.50 is the same cap: no row
        assert owner.post("/team/usage/cap/", {"monthly_cap": value},
                          REMOTE_ADDR=HOME).status_code == 302
    logged = rows(Kind.CAP_CHANGED)
    assert [row.details for row in logged] == [
        {"of": "team", "changed": {"monthly_cap": [None, "250.5"]}},
        {"of": "team", "changed": {"monthly_cap": ["250.5", "100"]}},
        {"of": "team", "changed": {"monthly_cap": ["100", None]}}]
    assert all(row.actor == cast.owner and row.address == HOME and row.team == cast.team_a
               and row.target_type == "team" for row in logged)


def test_a_refused_cap_leaves_no_row(cast, client_for):
    assert client_for(cast.owner).post("/team/usage/cap/",
                                       {"monthly_cap": "-3"}).status_code == 400
    assert rows(Kind.CAP_CHANGED) == []


def test_an_account_cap_is_logged_on_the_account(cast, kling, client_for):
    owner = client_for(cast.owner)
    form = {"dialect": "kling", "label": "Studio Kling", "max_jobs": 2}
    assert owner.post(f"/team/accounts/{kling.pk}/edit/",
                      {**form, "monthly_cap": "40"}).status_code == 302
    assert owner.post(f"/team/accounts/{kling.pk}/edit/",
                      {**form, "monthly_cap": "40"}).status_code == 302  # unchanged
    [row] = rows(Kind.CAP_CHANGED)
    assert row.details == {"of": "account", "changed": {"monthly_cap": [None, "40"]}}
    assert (row.target_type, row.target_id, row.target_text) == (
        "provider account", str(kling.pk), "Studio Kling")


def test_the_rate_card_logs_each_price_that_changed(cast):
    save_rate_card(cast.team_a, cast.owner, "USD", {"kling:v3:std": "0.084",
                                                     "kling:v3:pro": "0.11"})
    save_rate_card(cast.team_a, cast.owner, "USD", {"kling:v3:std": "0.09",
                                                     "kling:v3:pro": "0.11"})
    save_rate_card(cast.team_a, cast.owner, "USD", {"kling:v3:std": "0.09",
                                                     "kling:v3:pro": "0.11"})  # the same
    first, second = rows(Kind.RATE_CARD_CHANGED)
    assert first.details == {"changed": {"unit": ["", "USD"], "kling:v3:pro": [None, "0.11"],
                                         "kling:v3:std": [None, "0.084"]}}
    assert second.details == {"changed": {"kling:v3:std": ["0.084", "0.09"]}}
    assert second.target_text == "rate card"


def test_the_rate_card_page_writes_the_row_in_the_same_save(cast, client_for):
    owner = client_for(cast.owner)
    assert owner.post("/storyboards/rates/", {"unit": "credits", "kling:v3:std": "2"},
                      REMOTE_ADDR=HOME).status_code in (200, 302)
    [row] = rows(Kind.RATE_CARD_CHANGED)
    assert row.actor == cast.owner and row.address == HOME
    assert row.details["changed"] == {"unit": ["", "credits"], "kling:v3:std": [None, "2"]}
    refused = owner.post("/storyboards/rates/", {"unit": "credits", "kling:v3:std": "lots"})
    assert refused.status_code >= 400 and len(rows(Kind.RATE_CARD_CHANGED)) == 1


def test_set_team_cap_from_code_without_a_request_is_the_command_line(cast):
    set_team_cap(cast.team_a, Decimal("5"))
    [row] = rows(Kind.CAP_CHANGED)
    assert row.actor is None and row.actor_label == "command line"


def test_the_owners_page_shows_what_changed(cast, client_for):
    owner = client_for(cast.owner)
    owner.post("/team/usage/cap/", {"monthly_cap": "80"})
    save_rate_card(cast.team_a, cast.owner, "USD", {"kling:v3:std": "0.09"})
    page = owner.get("/team/audit/").content.decode()
    assert "Spending cap changed" in page and "monthly cap: none → 80" in page
    assert "Rate card changed" in page and "kling:v3:std: none → 0.09" in page
