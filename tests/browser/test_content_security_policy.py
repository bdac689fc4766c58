"""Every page of the app loads under its Content-Security-Policy without a single violation:
no inline script, no eval, no inline style, nothing from another site."""

import pytest
from django.utils import timezone

from storyboard.boards.models import Shot, Storyboard
from storyboard.jobs.models import Job
from storyboard.teams.actions import ensure_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " +
                    (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


def test_no_page_violates_the_content_security_policy(live_server, page, client):
    team, demo = ensure_demo(password="csp-test-password")
    board = Storyboard.objects.create(team=team, title="CSP board", created_by=demo)
    for n in range(2):
        Shot.objects.create(storyboard=board, position=n, prompt=f"Shot {n}", duration="3")
    job = Job.objects.create(team=team, storyboard=board, created_by=demo, dialect="animatic",
                             model="v3", title="CSP job", submit_key="csp", state="failed",
                             snapshot={"shots": []}, failure_text="Example.",
                             finished_at=timezone.now())
    response = client.get("/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]

    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("csp-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/storyboards/")
    problems = {}
    for path in ["/storyboards/", board.get_absolute_url(), "/library/", "/gallery/",
                 "/review/", "/jobs/", f"/jobs/{job.pk}/", "/team/", "/team/accounts/new/",
                 "/team/new/", "/library/elements/new/?kind=image", "/storyboards/import/",
                 "/storyboards/rates/", f"/gallery/takes/{board.pk}/", "/team/usage/"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__csp")
        if found:
            problems[path] = found
    assert problems == {}
