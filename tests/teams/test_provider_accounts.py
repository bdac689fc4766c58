import logging
import re
from pathlib import Path

import httpx
import pytest
from django.core.management import CommandError, call_command

from storyboard.teams.accounts import AccountInput, add_account, check_connection
from storyboard.teams.models import ProviderAccount

SECRET = "sk-very-secret-0123456789"


def _add(client, **overrides):
    data = {"dialect": "useapi", "label": "Studio useapi", "token": SECRET,
            "email": "me@example.com", "max_jobs": 3, **overrides}
    return client.post("/team/accounts/new/", data, follow=True)


def test_an_owner_adds_an_account_whose_credentials_are_encrypted_and_never_shown(cast,
                                                                                  client_for):
    client = client_for(cast.owner)
    response = _add(client)
    assert b"Account Studio useapi added." in response.content
    account = ProviderAccount.objects.get(team=cast.team_a)
    assert SECRET not in account.credentials_encrypted
    assert account.credentials() == {"token": SECRET, "email": "me@example.com"}
    for page in ("/team/", f"/team/accounts/{account.pk}/edit/"):
        assert SECRET not in client.get(page).content.decode()


def test_an_empty_credential_field_keeps_the_saved_value_and_a_new_one_replaces_it(cast,
                                                                                  client_for):
    client = client_for(cast.owner)
    _add(client)
    account = ProviderAccount.objects.get()
    client.post(f"/team/accounts/{account.pk}/edit/", {
        "dialect": "useapi", "label": "Renamed", "token": "", "email": "me@example.com",
        "max_jobs": 5})
    account.refresh_from_db()
    assert (account.label, account.max_jobs, account.credentials()["token"]) == (
        "Renamed", 5, SECRET)
    client.post(f"/team/accounts/{account.pk}/edit/", {
        "dialect": "useapi", "label": "Renamed", "token": "new-token", "max_jobs": 5})
    account.refresh_from_db()
    assert account.credentials()["token"] == "new-token"


@pytest.mark.parametrize("overrides, message", [
    ({"token": ""}, "API token: required for useapi.net accounts."),
    ({"label": ""}, "Label: This field is required."),
    ({"max_jobs": 0}, "Concurrent jobs: Ensure this value is greater than or equal to 1."),
    ({"max_jobs": 51}, "Concurrent jobs: Ensure this value is less than or equal to 50."),
    ({"max_jobs": "many"}, "Concurrent jobs: Enter a whole number."),
    ({"base_url": "http://proxy.example.com"}, "Base URL: must start with https://"),
    ({"base_url": "https://user:pw@proxy.example.com"}, "must not contain a user name"),
    ({"dialect": "kling", "vip": "on", "access_key": "a", "secret_key": "b"},
     "VIP: only useapi.net accounts have a VIP plan."),
    ({"dialect": "midjourney"}, "Service: Select a valid choice."),
])
def test_bad_account_input_is_refused_with_a_message_and_nothing_saved(cast, client_for,
                                                                       overrides, message):
    response = _add(client_for(cast.owner), **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProviderAccount.objects.exists()


def test_labels_are_unique_within_a_team_but_not_across_teams(cast, client_for):
    _add(client_for(cast.owner))
    response = _add(client_for(cast.owner))
    assert "Team A already has an account called &#x27;Studio useapi&#x27;" in (
        response.content.decode())
    _add(client_for(cast.outsider))
    assert ProviderAccount.objects.count() == 2


def test_testing_a_connection_reports_the_vendor_answer(cast):
    account = add_account(cast.team_a, AccountInput("useapi", "U", {"token": SECRET}))
    ok_client = httpx.Client(transport=httpx.MockTransport(
        lambda request: httpx.Response(200, json=[{"email": "a@b.c"}])))
    assert check_connection(account, client=ok_client) == (
        True, "Connected to useapi.net: 1 linked Kling account(s) visible to this token.")
    refused = httpx.Client(transport=httpx.MockTransport(
        lambda request: httpx.Response(401, json={"error": "Unauthorized"})))
    ok, message = check_connection(account, client=refused)
    assert not ok and message.startswith("Failed (authentication)")
    account.refresh_from_db()
    assert account.test_ok is False and "Unauthorized" in account.test_message


def test_a_non_sandbox_account_cannot_reach_this_machine(cast, client_for):
    account = add_account(cast.team_a, AccountInput(
        "apimart", "Sneaky", {"api_key": "k"}, base_url="https://localhost:9"))
    response = client_for(cast.owner).post(f"/team/accounts/{account.pk}/test/", follow=True)
    assert "Sneaky: Failed (network)" in response.content.decode()
    assert "private or loopback address: refused" in response.content.decode()


def test_credentials_never_reach_the_log(cast, client_for, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(cast.owner)
    _add(client, base_url="https://127.0.0.1:9")
    client.post(f"/team/accounts/{ProviderAccount.objects.get().pk}/test/")
    assert SECRET not in caplog.text
    assert SECRET not in repr(ProviderAccount.objects.get().as_provider_account())


def test_a_changed_encryption_key_asks_for_the_credentials_again(cast, settings):
    account = add_account(cast.team_a, AccountInput("cometapi", "C", {"api_key": "k"}))
    settings.STORYBOARD_CREDENTIALS_KEY = "another key entirely, 32 characters+"
    ok, message = check_connection(account)
    assert not ok and "enter them again" in message


def test_the_command_line_adds_lists_and_removes_accounts(cast, capsys):
    call_command("accounts", "add", "--team", "Team A", "--dialect", "kling", "--label", "K",
                 "--access-key", "ak", "--secret-key", SECRET, "--max-jobs", "4")
    call_command("accounts", "list", "--team", str(cast.team_a.pk))
    out = capsys.readouterr().out
    assert "Added kling account 'K' to team 'Team A'" in out
    assert "Team A\tK\tkling\thttps://api-singapore.klingai.com\tmax_jobs=4" in out
    assert SECRET not in out
    call_command("accounts", "remove", "--team", "Team A", "--label", "K")
    assert not ProviderAccount.objects.exists()


@pytest.mark.parametrize("args, message", [
    (["add", "--team", "Nope", "--dialect", "kling", "--label", "K"], "no team with that name"),
    (["add", "--team", "Team A", "--dialect", "kling", "--label", "K", "--access-key", "a"],
     r"Secret key: required for Kling \(official API\) accounts\."),
    (["add", "--team", "Team A", "--dialect", "apimart", "--label", "K", "--token", "t"],
     "--token: not used by apimart accounts"),
    (["remove", "--team", "Team A", "--label", "Ghost"], "has no account by that label"),
])
def test_the_command_line_refuses_bad_input_with_a_message(cast, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("accounts", *args)


def test_the_account_form_is_built_from_the_vendor_packages(cast, client_for):
    from storyboard.providers.registry import PROVIDERS

    page = client_for(cast.owner).get("/team/accounts/new/").content.decode()
    for cls in PROVIDERS.values():
        assert f'<option value="{cls.dialect}">{cls.label}</option>' in page
        for field in cls.credentials:
            tag = re.search(rf'<input[^>]*name="{field.name}"[^>]*>', page).group(0)
            users = re.search(r'data-dialects="([^"]*)"', tag).group(1).split()
            assert cls.dialect in users
            assert ('type="password"' in tag) == field.secret
    vip = re.search(r'<input[^>]*name="vip"[^>]*>', page).group(0)
    assert 'data-dialects="useapi"' in vip


def test_no_vendor_is_named_in_the_form_code_or_its_script():
    root = Path(__file__).resolve().parents[2]
    for path in (root / "storyboard/teams/forms.py", root / "static/js/account_form.js",
                 root / "storyboard/teams/account_views.py"):
        text = path.read_text().lower()
        for vendor in ("useapi", "kling", "cometapi", "apimart"):
            assert vendor not in text, f"{path.name} names {vendor}"


def test_an_optional_plain_credential_is_shown_on_edit_and_can_be_cleared(cast, client_for):
    client = client_for(cast.owner)
    _add(client)
    account = ProviderAccount.objects.get()
    page = client.get(f"/team/accounts/{account.pk}/edit/").content.decode()
    assert 'value="me@example.com"' in page and SECRET not in page
    client.post(f"/team/accounts/{account.pk}/edit/", {
        "dialect": "useapi", "label": "Studio useapi", "token": "", "email": "",
        "max_jobs": 3})
    account.refresh_from_db()
    assert account.credentials() == {"token": SECRET, "email": ""}
