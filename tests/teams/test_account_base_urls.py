"""A base URL with junk in it (spaces, line breaks, control characters, a query, a bad port) is
refused when it is entered, naming the field, instead of being saved and failing every later
call."""

import pytest

from storyboard.teams.accounts import AccountError, AccountInput, add_account
from storyboard.teams.models import ProviderAccount


@pytest.mark.parametrize("url, says", [
    ("https://api.example.com /v1", "contains a space or line break"),
    ("https://api.example.com\r\nX-Injected: 1", "contains a space or line break"),
    ("https://api.exa\x00mple.com", "contains '\\x00'"),
    ("https://api.example.com/v1?key=1", "without ?query or #fragment"),
    ("https://api.example.com#top", "without ?query or #fragment"),
    ("https://api.example.com:99999", "the port is a number from 1 to 65535"),
    ("https://api.example.com:http", "the port is a number from 1 to 65535"),
    ("https://" + "a" * 400 + ".com", "at most 300 characters"),
])
def test_a_base_url_with_junk_is_refused_at_entry(cast, url, says):
    with pytest.raises(AccountError, match="^Base URL: ") as refused:
        add_account(cast.team_a, AccountInput("kling", "Kling", {"access_key": "a",
                                                                 "secret_key": "b"},
                                              base_url=url))
    assert says in str(refused.value)
    assert not ProviderAccount.objects.exists()


def test_the_account_form_shows_the_refusal_beside_nothing_saved(cast, client_for):
    response = client_for(cast.owner).post("/team/accounts/new/", {
        "dialect": "kling", "label": "Kling", "access_key": "a", "secret_key": "b",
        "max_jobs": 2, "base_url": "https://api-singapore.klingai.com/ v1"})
    assert response.status_code == 400
    assert "Base URL:" in response.content.decode()
    assert not ProviderAccount.objects.exists()


def test_an_ordinary_base_url_with_a_path_and_port_is_kept(cast):
    account = add_account(cast.team_a, AccountInput(
        "kling", "Kling", {"access_key": "a", "secret_key": "b"},
        base_url="https://gateway.example.com:8443/kling/"))
    assert account.base_url == "https://gateway.example.com:8443/kling"
