"""Real-browser tests: Debian's chromium driven by Playwright against pytest-django's live server."""

import os
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import running_in_ci
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _chromium_path() -> str | None:
    if CHROMIUM.exists():
        return str(CHROMIUM)
    return shutil.which("chromium")


@pytest.fixture(autouse=True)
def _short_live_streams(settings):
    """Every page opens a live event stream (static/js/live.js). Short stream responses and heartbeats let
    the server notice a closed page quickly; no stream may outlive its test (and the test's database)."""
    from scandy_site.events import stream

    settings.EVENTS_POLL_SECONDS = 0.2
    settings.EVENTS_HEARTBEAT_SECONDS = 1.0
    settings.EVENTS_STREAM_SECONDS = 6.0
    yield
    deadline = time.monotonic() + 10
    while stream.slots.used and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if executable is None:
        message = "chromium is not installed (apt-get install -y chromium)"
        if running_in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Log in through the real login form, as a person would, and wait for the page behind it."""
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("form.form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    form.get_by_role("button").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def login(live_server, page):
    """`login(user)` or `login(username, password)`: the `page` fixture, logged in (factory users
    have the password `tests.factories.PASSWORD`)."""

    def do(user_or_name, password: str = PASSWORD):
        username = getattr(user_or_name, "username", user_or_name)
        log_in(page, live_server.url, username, password)
        return page

    return do
