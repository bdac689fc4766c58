"""Rotating the credentials key: put a new key first ("NEW,OLD"), run
`manage.py rotate_credentials_key`, and every saved provider credential and webhook secret then
reads with the new key alone, so the old one can be dropped."""

from __future__ import annotations

import pytest
from operations.commands import run

from storyboard.teams.accounts import AccountInput, add_account
from storyboard.teams.crypto import CredentialsUnreadable, decrypt_credentials, encrypt_credentials
from storyboard.teams.models import ProviderAccount
from storyboard.webhooks.actions import add_webhook
from storyboard.webhooks.models import Webhook

OLD = "the old credentials key of thirty-two characters"
NEW = "the new credentials key from the secret store and long"
CREDENTIALS = {"api_key": "apimart-key-rotation-0001"}


def rotate() -> tuple[int, str]:
    return run("rotate_credentials_key")


@pytest.fixture
def saved_under_old(cast, settings):
    """An account and a webhook saved while OLD was the only key."""
    settings.STORYBOARD_CREDENTIALS_KEY = OLD
    account = add_account(cast.team_a, AccountInput("apimart", "Studio APIMart", CREDENTIALS,
                                                    base_url="https://api.apimart.ai"))
    hook, secret = add_webhook(cast.team_a, "https://hooks.example.com/in", ["job.succeeded"])
    return account, hook, secret


def _reads_with(settings, key: str, account, hook) -> tuple[dict, str]:
    settings.STORYBOARD_CREDENTIALS_KEY = key
    account = ProviderAccount.objects.get(pk=account.pk)
    hook = Webhook.objects.get(pk=hook.pk)
    return decrypt_credentials(account.credentials_encrypted), hook.secret()


def test_after_rotating_the_new_key_alone_reads_everything(saved_under_old, settings):
    account, hook, secret = saved_under_old
    settings.STORYBOARD_CREDENTIALS_KEY = f"{NEW},{OLD}"
    code, output = rotate()
    assert code == 0, output
    assert "Re-encrypted with the first of 2 key(s):" in output
    assert "provider accounts (credentials_encrypted): 1 re-encrypted" in output
    assert "webhooks (secret_encrypted): 1 re-encrypted" in output
    assert "the others can be dropped" in output
    assert _reads_with(settings, NEW, account, hook) == (CREDENTIALS, secret)
    # And the old key alone no longer reads them: they really were re-encrypted.
    settings.STORYBOARD_CREDENTIALS_KEY = OLD
    with pytest.raises(CredentialsUnreadable):
        decrypt_credentials(ProviderAccount.objects.get(pk=account.pk).credentials_encrypted)


def test_without_rotating_dropping_the_old_key_loses_the_secrets(saved_under_old, settings):
    account, hook, _ = saved_under_old
    settings.STORYBOARD_CREDENTIALS_KEY = NEW
    with pytest.raises(CredentialsUnreadable):
        _reads_with(settings, NEW, account, hook)


def test_while_both_keys_are_set_everything_reads_and_new_saves_use_the_new_key(
        saved_under_old, settings):
    account, hook, secret = saved_under_old
    settings.STORYBOARD_CREDENTIALS_KEY = f"{NEW},{OLD}"
    assert _reads_with(settings, f"{NEW},{OLD}", account, hook) == (CREDENTIALS, secret)
    token = encrypt_credentials({"api_key": "saved during the rotation"})
    settings.STORYBOARD_CREDENTIALS_KEY = NEW
    assert decrypt_credentials(token) == {"api_key": "saved during the rotation"}


def test_running_it_twice_is_harmless(saved_under_old, settings):
    account, hook, secret = saved_under_old
    settings.STORYBOARD_CREDENTIALS_KEY = f"{NEW},{OLD}"
    assert rotate()[0] == 0
    assert rotate()[0] == 0
    assert _reads_with(settings, NEW, account, hook) == (CREDENTIALS, secret)


def test_a_value_no_key_reads_is_left_as_it_is_and_the_command_fails(saved_under_old, cast,
                                                                      settings):
    account, hook, secret = saved_under_old
    settings.STORYBOARD_CREDENTIALS_KEY = "a third key nobody configured, long enough"
    lost = add_account(cast.team_a, AccountInput("apimart", "Lost APIMart", CREDENTIALS,
                                                 base_url="https://api.apimart.ai"))
    before = ProviderAccount.objects.get(pk=lost.pk).credentials_encrypted
    settings.STORYBOARD_CREDENTIALS_KEY = f"{NEW},{OLD}"
    code, output = rotate()
    assert code == 1
    assert (f"provider accounts (credentials_encrypted): 1 re-encrypted, 1 unreadable with "
            f"every configured key (ids {lost.pk}) left as they are") in output
    assert "put their old key back" in output
    assert ProviderAccount.objects.get(pk=lost.pk).credentials_encrypted == before
    assert _reads_with(settings, NEW, account, hook) == (CREDENTIALS, secret)


def test_a_key_saved_before_lists_existed_still_reads_if_it_holds_a_comma(cast, settings):
    # A single key with a comma in it, from before keys could be listed, now reads as two keys:
    # the values it saved must not become unreadable on upgrade.
    settings.STORYBOARD_CREDENTIALS_KEY = legacy = f"{'a' * 32},{'b' * 32}"
    from storyboard.teams import crypto

    whole = crypto._fernet_for((legacy, ))  # how the one key encrypted, before
    token = whole.encrypt(b'{"api_key": "from before"}').decode()
    assert decrypt_credentials(token) == {"api_key": "from before"}
    # A rotation moves such values to the first key.
    account = add_account(cast.team_a, AccountInput("apimart", "Old APIMart", CREDENTIALS,
                                                    base_url="https://api.apimart.ai"))
    ProviderAccount.objects.filter(pk=account.pk).update(credentials_encrypted=token)
    code, output = rotate()
    assert code == 0, output
    settings.STORYBOARD_CREDENTIALS_KEY = "a" * 32
    assert decrypt_credentials(ProviderAccount.objects.get(pk=account.pk)
                               .credentials_encrypted) == {"api_key": "from before"}
