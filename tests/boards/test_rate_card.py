"""The rate card: owners set prices per second by target and mode on a page linked from Team
settings; it starts empty and says so."""

import pytest

from storyboard.boards.models import RateCard


def test_the_rate_card_starts_empty_and_says_so(cast, client_for):
    html = client_for(cast.owner).get("/storyboards/rates/").content.decode()
    assert "The rate card is empty" in html
    assert 'aria-label="kling v3 pro price per second"' in html
    assert "animatic" not in html.split("<table>")[1]  # the local preview is free


def test_team_settings_links_to_it_for_owners(cast, client_for):
    assert 'href="/storyboards/rates/"' in client_for(cast.owner).get("/team/").content.decode()
    assert 'href="/storyboards/rates/"' not in client_for(cast.editor).get(
        "/team/").content.decode()


def test_an_owner_saves_prices(cast, client_for):
    response = client_for(cast.owner).post("/storyboards/rates/", {
        "unit": "USD", "kling:v3:std": "0,084", "kling:v3:pro": "0.112", "useapi:o1:std": ""})
    assert response.status_code == 302
    card = RateCard.objects.get(team=cast.team_a)
    assert card.unit == "USD"
    assert card.prices == {"kling:v3:std": "0.084", "kling:v3:pro": "0.112"}
    html = client_for(cast.owner).get("/storyboards/rates/").content.decode()
    assert 'value="0.112"' in html and "The rate card is empty" not in html


def test_a_bad_price_refuses_the_whole_card(cast, client_for):
    RateCard.objects.create(team=cast.team_a, prices={"kling:v3:std": "0.1"})
    response = client_for(cast.owner).post("/storyboards/rates/", {
        "kling:v3:std": "0.2", "kling:v3:pro": "cheap", "kling:o1:std": "-1",
        "apimart:v3:std": "0.00001"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was saved" in html and "“cheap” is not a price" in html
    assert "“-1” is not a price" in html and "“0.00001” is not a price" in html
    assert RateCard.objects.get().prices == {"kling:v3:std": "0.1"}


def test_only_owners_edit_it(cast, client_for):
    for user in (cast.editor, cast.reviewer, cast.viewer):
        assert client_for(user).post("/storyboards/rates/", {
            "kling:v3:std": "9"}).status_code == 403
    assert not RateCard.objects.exists()


@pytest.mark.parametrize(("amount", "shown"), [
    ("0.5", "0.50"), ("12", "12.00"), ("0.504", "0.504"), ("1E+1", "10.00"), ("0.0840", "0.084"),
    ("0", "0.00")])
def test_amounts_are_written_as_prices(amount, shown):
    from decimal import Decimal

    from storyboard.boards.editing import money

    assert money(Decimal(amount)) == shown
