"""Signing in from a browser test.

Pressing "Sign in" returns as soon as the next page starts to arrive; its deferred scripts
(the editor's drag and drop, the tray's + buttons) attach a moment later. A test that presses a
control in between presses a button that does nothing yet, which made the editor tests fail
now and then on a busy machine. So this waits until the page after sign-in has loaded."""

def sign_in(page, live_server, username, password, path="/"):
    page.goto(f"{live_server.url}{path}")
    if "/login/" not in page.url:
        page.get_by_role("button", name="Sign out").click()
        page.goto(f"{live_server.url}{path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url, wait_until="load")

