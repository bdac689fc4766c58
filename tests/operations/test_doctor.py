"""`manage.py doctor` prints the health checks and the configuration problems it can see, and
ends with exit status 1 when there is one."""

from __future__ import annotations

from datetime import timedelta
from email.utils import formatdate

import httpx
import pytest
from django.utils import timezone
from operations.commands import run

from storyboard.operations import doctor, health
from storyboard.operations.models import Heartbeat
from storyboard.teams.accounts import AccountInput, add_account
from storyboard.webhooks.actions import add_webhook

KEY = "a credentials key from the secret store and long enough"


def run_doctor() -> tuple[int, str]:
    return run("doctor")


def lines_with(output: str, mark: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith(mark)]


@pytest.fixture
def well_configured(db, settings, monkeypatch):
    """Secrets from the environment, DEBUG off, a sweep that just ran, nothing else."""
    monkeypatch.setenv("SECRET_KEY", "s" * 50)
    monkeypatch.setenv("STORYBOARD_CREDENTIALS_KEY", KEY)
    for name in ("SECRET_KEY_FILE", "STORYBOARD_CREDENTIALS_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
    settings.STORYBOARD_PUBLIC_BASE_URL = ""
    settings.STORYBOARD_CREDENTIALS_KEY = KEY
    settings.REDIS_URL = ""  # the database is the broker (CI's PostgreSQL pass exports one)
    Heartbeat.objects.create(name=health.SWEEP, at=timezone.now())
    return monkeypatch


def _account(team, dialect, label, *, base_url="https://127.0.0.1:9", sandbox=False):
    # Loopback, so that a check which calls out (the clock) is refused before connecting.
    credentials = {"kling": {"access_key": "access-key-0001", "secret_key": "secret-key-0001"},
                   "apimart": {"api_key": "apimart-key-0001"}}[dialect]
    return add_account(team, AccountInput(dialect, label, credentials, base_url=base_url,
                                          sandbox=sandbox))


def test_a_well_configured_install_has_no_problems(well_configured):
    code, output = run_doctor()
    assert code == 0, output
    assert output.splitlines()[0] == "Health"
    assert "ok       the database answers" in output
    assert "ok       the broker (database) answers" in output
    assert "ok       SECRET_KEY comes from the environment" in output
    assert output.rstrip().endswith("No problems found.")


def test_a_stale_sweep_is_a_problem(well_configured):
    Heartbeat.objects.filter(name=health.SWEEP).update(at=timezone.now() - timedelta(minutes=5))
    code, output = run_doctor()
    assert code == 1
    assert lines_with(output, "PROBLEM") == [
        "PROBLEM  sweep: the poll sweep last ran 300 s ago, more than 120 s (is a worker "
        "running?)"]
    assert output.rstrip().endswith("1 problem(s) found.")


def test_redis_that_does_not_answer_is_a_problem(well_configured, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    code, output = run_doctor()
    assert code == 1 and "PROBLEM  broker: Redis does not answer" in output


def test_a_secret_key_generated_into_var_is_a_problem(well_configured, settings):
    well_configured.delenv("SECRET_KEY")
    code, output = run_doctor()
    assert code == 1
    [line] = lines_with(output, "PROBLEM")
    assert f"SECRET_KEY was generated into {settings.VAR_DIR / 'secret_key'}" in line
    assert "SECRET_KEY_FILE" in line


def test_a_secret_key_from_a_file_is_fine(well_configured, tmp_path):
    (tmp_path / "secret").write_text("k" * 40)
    well_configured.delenv("SECRET_KEY")
    well_configured.setenv("SECRET_KEY_FILE", str(tmp_path / "secret"))
    code, output = run_doctor()
    assert code == 0 and "SECRET_KEY comes from the file" in output


def test_a_credentials_key_only_in_var_says_what_to_back_up(well_configured, cast, settings):
    well_configured.delenv("STORYBOARD_CREDENTIALS_KEY")
    code, output = run_doctor()
    assert code == 0  # nothing saved depends on it yet: worth knowing, not wrong
    [note] = [line for line in lines_with(output, "note") if "CREDENTIALS_KEY" in line]
    assert "0 saved secret(s)" in note
    _account(cast.team_a, "kling", "Studio Kling")
    code, output = run_doctor()
    assert code == 1
    [line] = lines_with(output, "PROBLEM")
    assert f"kept only in {settings.VAR_DIR / 'credentials_key'}" in line
    assert "1 saved secret(s) depend on it: back up that file with the database" in line


def test_a_credentials_key_file_inside_var_is_still_only_in_var(well_configured, cast,
                                                                 settings):
    inside = settings.VAR_DIR / "credentials_key"
    well_configured.delenv("STORYBOARD_CREDENTIALS_KEY")
    well_configured.setenv("STORYBOARD_CREDENTIALS_KEY_FILE", str(inside))
    _account(cast.team_a, "kling", "Studio Kling")
    code, output = run_doctor()
    assert code == 1 and f"kept only in {inside}" in output


def test_values_no_key_reads_are_a_problem_and_old_keys_are_named(well_configured, cast,
                                                                   settings):
    old = "the old credentials key of thirty-two characters or more"
    settings.STORYBOARD_CREDENTIALS_KEY = old
    _account(cast.team_a, "kling", "Old Kling")
    settings.STORYBOARD_CREDENTIALS_KEY = f"{KEY},{old}"
    code, output = run_doctor()
    assert code == 0
    assert ("holds 2 keys; 1 saved secret(s) still use an older one: run `manage.py "
            "rotate_credentials_key`") in output
    settings.STORYBOARD_CREDENTIALS_KEY = KEY  # the old key dropped too early
    code, output = run_doctor()
    assert code == 1
    assert "1 saved secret(s) cannot be read with any configured key" in output


def test_debug_with_a_public_host_is_a_problem(well_configured, settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["localhost", "storyboard.example.com"]
    code, output = run_doctor()
    assert code == 1
    [line] = lines_with(output, "PROBLEM")
    assert line.startswith("PROBLEM  DEBUG is on while ALLOWED_HOSTS names "
                           "storyboard.example.com")
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "dev.localhost"]
    assert run_doctor()[0] == 0  # DEBUG on this machine only is what it is for


def test_public_hosts_without_https_are_noted(well_configured, settings):
    settings.ALLOWED_HOSTS = ["storyboard.example.com"]
    code, output = run_doctor()
    assert code == 0
    assert any("STORYBOARD_HTTPS is off" in line for line in lines_with(output, "note"))


def test_an_account_that_needs_public_media_without_an_address_is_a_problem(
        well_configured, cast, settings):
    settings.STORYBOARD_ALLOW_ANY_SANDBOX = True
    _account(cast.team_a, "apimart", "Studio APIMart")
    _account(cast.team_a, "apimart", "Sandbox APIMart", sandbox=True)  # studio's local address
    code, output = run_doctor()
    assert code == 1
    [line] = lines_with(output, "PROBLEM")
    assert "1 account(s) fetch references by URL but STORYBOARD_PUBLIC_BASE_URL is not set " \
           "(Team A: Studio APIMart)" in line
    settings.STORYBOARD_PUBLIC_BASE_URL = "https://storyboard.example.com"
    code, output = run_doctor()
    assert code == 0 and "public media address: https://storyboard.example.com" in output


# --- the clock, for Kling's tokens -------------------------------------------------------

def _server_clock(offset: float, seen: list):
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, headers={"Date": formatdate(
            timezone.now().timestamp() + offset, usegmt=True)})
    return httpx.MockTransport(answer)


def test_a_clock_in_step_with_klings_is_fine(well_configured, cast):
    _account(cast.team_a, "kling", "Studio Kling", base_url="https://api-singapore.klingai.com")
    seen = []
    [finding] = doctor.clock(transport=_server_clock(0, seen))
    assert finding.level == doctor.OK
    assert finding.text.startswith("clock within ")
    assert str(seen[0].url) == "https://api-singapore.klingai.com"
    assert "authorization" not in seen[0].headers  # a clock needs no credentials


@pytest.mark.parametrize("offset, way", [(-40, "ahead of"), (600, "behind")])
def test_a_clock_off_from_klings_is_a_problem(well_configured, cast, offset, way):
    _account(cast.team_a, "kling", "Studio Kling", base_url="https://api-singapore.klingai.com")
    [finding] = doctor.clock(transport=_server_clock(offset, []))
    assert finding.level == doctor.PROBLEM
    assert f"this machine is {abs(offset)} s {way} https://api-singapore.klingai.com " \
           "(Studio Kling)" in finding.text or \
           f"this machine is {abs(offset) + 1} s {way}" in finding.text


def test_a_small_lead_within_the_tokens_margin_is_fine(well_configured, cast):
    _account(cast.team_a, "kling", "Studio Kling", base_url="https://api-singapore.klingai.com")
    [finding] = doctor.clock(transport=_server_clock(-2, []))
    assert finding.level == doctor.OK


def test_offline_the_clock_is_not_checked_and_that_is_no_failure(well_configured, cast):
    _account(cast.team_a, "kling", "Studio Kling", base_url="https://api-singapore.klingai.com")

    def offline(request):
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    [finding] = doctor.clock(transport=httpx.MockTransport(offline))
    assert finding.level == doctor.NOTE
    assert finding.text.startswith("clock: could not compare with "
                                   "https://api-singapore.klingai.com (Studio Kling)")


def test_the_clock_check_goes_through_the_outbound_address_checks(well_configured, cast):
    # Not a sandbox account: loopback and private addresses are refused before any connection.
    _account(cast.team_a, "kling", "Local Kling", base_url="https://127.0.0.1:9")
    _account(cast.team_a, "kling", "Private Kling", base_url="https://10.1.2.3")
    code, output = run_doctor()
    assert code == 0
    notes = [line for line in lines_with(output, "note") if "clock" in line]
    assert len(notes) == 2
    assert all("a private or loopback address: refused — not checked" in line for line in notes)


def test_sandbox_accounts_are_not_asked_the_time(well_configured, cast, name_sandbox):
    # Their server is this machine: before, studio's demo install got a note per sandbox.
    name_sandbox("http://127.0.0.1:8765")
    _account(cast.team_a, "kling", "Sandbox Kling", base_url="http://127.0.0.1:8765/kling",
             sandbox=True)
    assert doctor.clock(transport=_server_clock(600, [])) == [doctor.Finding(
        doctor.OK, "no account signs its requests with this machine's clock")]


def test_no_account_that_stamps_tokens_no_clock_check(well_configured, cast):
    _account(cast.team_a, "apimart", "Studio APIMart", base_url="https://api.apimart.ai")
    assert doctor.clock() == [doctor.Finding(
        doctor.OK, "no account signs its requests with this machine's clock")]


def test_webhook_secrets_count_as_saved_secrets(well_configured, cast, settings):
    well_configured.delenv("STORYBOARD_CREDENTIALS_KEY")
    add_webhook(cast.team_a, "https://hooks.example.com/storyboard", ["job.succeeded"])
    code, output = run_doctor()
    assert code == 1 and "1 saved secret(s) depend on it" in output
