"""An operator and an owner in a real browser: the superuser signs in to /admin/, finds a
stuck job and re-queues it (a finished one is skipped, with the reason), opens a provider
account and sees no credential; the owner opens Team settings → Audit log, sees the re-queue
and their own change, and a bad date is named. No page breaks the Content-Security-Policy."""

import pytest
from browser import signing

from storyboard.jobs.models import Job
from storyboard.teams.accounts import AccountInput, add_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # the cast's (tests/conftest.py)
SECRET = "sk-browser-secret-kling"  # noqa: S105 - a test credential


def _job(cast, state, title):
    return Job.objects.create(team=cast.team_a, created_by=cast.editor, dialect="kling",
                              model="v3", title=title, submit_key=title, state=state,
                              snapshot={})


def test_an_operator_requeues_a_job_and_the_owner_reads_the_log(live_server, page, cast,
                                                                 django_user_model, queue,
                                                                 name_sandbox, shots_dir):
    name_sandbox("http://127.0.0.1:9")
    account = add_account(cast.team_a, AccountInput(
        "kling", "Studio Kling", {"access_key": "ak-browser", "secret_key": SECRET},
        base_url="http://127.0.0.1:9", sandbox=True))
    stuck = _job(cast, "queued", "Stuck at sea")
    done = _job(cast, "succeeded", "Finished harbour")
    django_user_model.objects.create_superuser("root", "root@example.com", "operator pass 1")
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(
        m.text))

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("operator pass 1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Jobs", exact=True).and_(
        page.locator("[href='/admin/jobs/job/']")).first.click()
    page.get_by_role("checkbox", name="Select this object for an action - job "
                     f"{stuck.short_id} (queued)").check()
    page.get_by_role("checkbox", name="Select this object for an action - job "
                     f"{done.short_id} (succeeded)").check()
    page.get_by_role("combobox", name="Action").select_option("requeue")
    page.get_by_role("button", name="Go").click()
    page.get_by_text(f"Handed to the worker again: 1 ({stuck.short_id}).").wait_for()
    page.get_by_text(f"Skipped job {done.short_id} (Finished harbour): succeeded: "
                     "finished").wait_for()
    page.screenshot(path=f"{shots_dir}/admin-requeue.png", full_page=True)
    assert queue.tasks == [("submit_job_task", (str(stuck.pk),))]

    page.goto(f"{live_server.url}/admin/teams/provideraccount/{account.pk}/change/")
    page.get_by_text("Studio Kling").first.wait_for()
    assert SECRET not in page.content() and account.credentials_encrypted not in page.content()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login/")  # LOGOUT_REDIRECT_URL
    signing.sign_in(page, live_server, cast.owner.username, PASSWORD, "/team/")
    page.get_by_label("Role of eddie").select_option("reviewer")
    page.get_by_role("button", name="Change role").first.click()
    page.get_by_role("link", name="Audit log").click()
    log = page.get_by_role("table")
    log.get_by_role("row").filter(has_text="Role changed").filter(has_text="olivia").wait_for()
    log.get_by_role("row").filter(has_text="Job handed to the worker again").filter(
        has_text="root").wait_for()
    page.get_by_label("What").select_option("role_changed")
    page.get_by_role("button", name="Apply").click()
    assert page.get_by_role("table").get_by_role("row").count() == 2  # header and one row
    page.get_by_label("From").fill("2025-03-20")
    page.get_by_label("To").fill("2025-03-01")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("alert").get_by_text("Dates: “From” (2025-03-20) is after").wait_for()
    page.screenshot(path=f"{shots_dir}/audit-log.png", full_page=True)
    assert violations == []
