"""The Django admin at /admin/ is for operators: superusers only. It shows teams, memberships,
accounts (never their credentials), jobs (with a Re-queue that keeps to the worker's rules),
clips, share links, API tokens (never their hash), the audit log, and django-q2's and
django-axes' pages; it changes none of the app's rows by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from audit.conftest import ACCESS_KEY, SECRET_KEY
from django.contrib import admin
from django.contrib.messages import get_messages
from django.utils import timezone

from storyboard.api.actions import create_token
from storyboard.audit.models import AuditEvent
from storyboard.jobs.models import Job
from storyboard.shares.actions import create_share

# django-q2 adds its "Queued tasks" page only with the database as broker (not with Redis).
MODELS = {"teams/team", "teams/membership", "teams/invitation", "teams/provideraccount",
          "jobs/job", "jobs/clip", "shares/sharelink", "api/apitoken", "audit/auditevent",
          "django_q/schedule", "django_q/success", "django_q/failure",
          "axes/accessattempt", "axes/accessfailurelog", "axes/accesslog", "auth/user"}


def registered() -> set[str]:
    return {f"{m._meta.app_label}/{m._meta.model_name}" for m in admin.site._registry}


@pytest.fixture
def root(django_user_model, client_for):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    return client_for(user)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in ("/admin/", "/admin/jobs/job/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].split("?")[0] in ("/login/", "/admin/login/")


def test_failed_admin_sign_ins_count_towards_the_lockout(client, django_user_model):
    from axes.models import AccessAttempt

    django_user_model.objects.create_superuser("root", "root@example.com", "right")
    client.post("/admin/login/", {"username": "root", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="root", failures_since_start=1).exists()


@pytest.mark.parametrize("staff", [False, True])
def test_team_members_even_staff_ones_are_refused(cast, client_for, staff):
    cast.owner.is_staff = staff
    cast.owner.save()
    owner = client_for(cast.owner)
    for url in ("/admin/", "/admin/teams/provideraccount/", "/admin/jobs/job/"):
        response = owner.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    login_page = owner.get("/admin/login/").content.decode()
    assert "not authorized to access this page" in login_page


def test_superusers_see_every_operator_page(root):
    index = root.get("/admin/").content.decode()
    for name in ("Teams", "Memberships", "Provider accounts", "Jobs", "Clips", "Share links",
                 "Api tokens", "Audit events", "Scheduled tasks", "Failed tasks",
                 "Access attempts"):
        assert name in index, name
    assert registered() >= MODELS
    for model in sorted(registered()):
        assert root.get(f"/admin/{model}/").status_code == 200, model


def test_an_account_page_shows_no_credentials(cast, root, kling):
    page = root.get(f"/admin/teams/provideraccount/{kling.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Studio Kling" in text
    for secret in (ACCESS_KEY, SECRET_KEY, kling.credentials_encrypted, "credentials"):
        assert secret not in text
    listing = root.get("/admin/teams/provideraccount/").content.decode()
    assert SECRET_KEY not in listing and kling.credentials_encrypted not in listing


def test_tokens_share_links_and_jobs_show_no_secret(cast, root, make_clip):
    token, raw = create_token(cast.member(cast.editor), "farm")
    clip = make_clip()
    share, link_token = create_share(clip, cast.editor, 7, "harbour")
    pages = [root.get(f"/admin/api/apitoken/{token.pk}/change/"),
             root.get(f"/admin/shares/sharelink/{share.pk}/change/"),
             root.get(f"/admin/jobs/job/{clip.job.pk}/change/")]
    text = "".join(p.content.decode() for p in pages)
    assert all(p.status_code == 200 for p in pages)
    for secret in (raw, token.token_hash, link_token, share.token_hash, share.password_hash,
                   clip.job.callback_secret):
        assert secret not in text


def test_the_apps_rows_cannot_be_changed_here(cast, root, kling):
    response = root.post(f"/admin/teams/provideraccount/{kling.pk}/change/",
                         {"label": "Hacked", "max_jobs": 50})
    assert response.status_code == 403
    assert root.post(f"/admin/teams/provideraccount/{kling.pk}/delete/",
                     {"post": "yes"}).status_code == 403
    assert root.get("/admin/teams/membership/add/").status_code == 403
    kling.refresh_from_db()
    assert kling.label == "Studio Kling"


def _job(cast, state, **fields):
    return Job.objects.create(team=cast.team_a, created_by=cast.editor, dialect="kling",
                              model="v3", title=f"{state} job",
                              submit_key=f"k-{state}-{Job.objects.count()}", state=state,
                              snapshot={}, **fields)


def _requeue(root, jobs):
    return root.post("/admin/jobs/job/", {"action": "requeue", "index": 0,
                                          "_selected_action": [str(j.pk) for j in jobs]})


def test_requeue_hands_safe_jobs_to_their_worker_task(cast, root, queue):
    queued = _job(cast, "queued")
    polling = _job(cast, "processing", remote_task_id="task-1")
    downloading = _job(cast, "downloading")
    stalled = _job(cast, "submitting", claimed_until=timezone.now() - timedelta(minutes=5))
    response = _requeue(root, [queued, polling, downloading, stalled])
    assert response.status_code == 302
    assert sorted(queue.tasks) == sorted([
        ("submit_job_task", (str(queued.pk),)), ("poll_job", (str(polling.pk),)),
        ("download_job", (str(downloading.pk),)), ("submit_job_task", (str(stalled.pk),))])
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said[0].startswith("Handed to the worker again: 4")
    rows = AuditEvent.objects.filter(kind=AuditEvent.Kind.JOB_REQUEUED)
    assert rows.count() == 4 and {r.actor_label for r in rows} == {"root"}


def test_requeue_refuses_unsafe_states_and_says_why(cast, root, queue):
    done = _job(cast, "succeeded")
    failed = _job(cast, "failed")
    held = _job(cast, "submitting", claimed_until=timezone.now() + timedelta(minutes=1))
    unsent = _job(cast, "submitted")  # no task id yet
    ok = _job(cast, "queued")
    response = _requeue(root, [done, failed, held, unsent, ok])
    assert queue.tasks == [("submit_job_task", (str(ok.pk),))]
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert f"Skipped job {done.short_id} (succeeded job): succeeded: finished" in said
    assert f"Skipped job {failed.short_id} (failed job): failed: finished; Retry" in said
    assert f"Skipped job {held.short_id} (submitting job): a worker holds it until" in said
    assert f"Skipped job {unsent.short_id} (submitted job): sent, but the provider" in said
    for job in (done, failed, held, unsent):
        before = job.state
        job.refresh_from_db()
        assert job.state == before
