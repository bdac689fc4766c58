"""Real-browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against the live
server. `playwright install` cannot download browsers here, so the executable is given."""

import os
import shutil
import threading

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the
# test itself (fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y "
                    "chromium) or set CHROMIUM_PATH")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


# Chromium logs every non-2xx answer as a console error. A 4xx is how the app refuses bad input
# (a refused upload, a check that fails) and the page shows the refusal; a 5xx never is.
_REFUSAL = "Failed to load resource: the server responded with a status of 4"


def _is_error(message) -> bool:
    return message.type == "error" and not message.text.startswith(_REFUSAL)


@pytest.fixture(autouse=True)
def _requests_take_turns_on_a_shared_connection(monkeypatch):
    """With SQLite in memory, pytest-django hands the test's one connection to the live server's
    threads, so two requests in transactions at once nest in each other's savepoints and one
    fails ("no such savepoint": a page uploading several images did). A real server gives each
    thread its own connection; here each request's view and middleware take turns, and the
    responses still stream at the same time."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        return
    turn = threading.Lock()
    handle = WSGIHandler.get_response

    def one_at_a_time(self, request):
        with turn:
            return handle(self, request)

    monkeypatch.setattr(WSGIHandler, "get_response", one_at_a_time)


@pytest.fixture
def console_errors():
    """What the browser reported as errors: console.error, CSP violations, uncaught
    exceptions. Every browser test fails when this is not empty at its end."""
    return []


@pytest.fixture
def page(browser, console_errors):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.on("console", lambda message: _is_error(message) and console_errors.append(
        f"console: {message.text} ({message.location.get('url', '')})"))
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    yield page
    context.close()
    assert console_errors == [], "the browser reported errors"


@pytest.fixture
def shots_dir():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")
    os.makedirs(path, exist_ok=True)
    return path


@pytest.fixture
def queue(monkeypatch):
    """Jobs run by hand in the test with the worker's own functions (tests/jobs/conftest.py's
    Queue); the live server's thread hands its tasks to the same recorder."""
    from jobs.conftest import Queue

    recorder = Queue()
    for module in ("storyboard.jobs.worker", "storyboard.jobs.actions", "storyboard.jobs.views"):
        monkeypatch.setattr(f"{module}.async_task", recorder)
    monkeypatch.setattr("storyboard.jobs.actions.transaction.on_commit", lambda fn: fn())
    return recorder
