"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Everything in this folder is marked `browser`. Without /usr/bin/chromium the tests skip and say
how to enable them, unless COREFLECT_REQUIRE_BROWSER=1 (CI), when they fail.

The whole session runs on a frozen clock (date and time, in this process and so in the live
server's thread too), so no browser test depends on the real day or hour.
"""

import datetime as dt
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import time_machine
from browser_helpers import (
    AXE_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ENABLE_HINT,
    FROZEN_AT,
    REQUIRE_BROWSER,
    SCREENSHOTS,
    check_html,
    html_checker_missing,
    is_csp_violation,
    sign_in,
)
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from coreflect.demo.build import PASSWORD

# Playwright's sync API runs an event loop in the test's thread, which trips Django's guard
# against the ORM in async code; the tests and the live server never share a call.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# The live server listens on 127.0.0.1 (a free port each, so pytest-xdist workers don't clash).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

HERE = Path(__file__).parent
# The HTML checker's own hint (installing Chromium would not help).
REQUIRE_HINT = "set COREFLECT_REQUIRE_BROWSER=1 to make this a failure"


@pytest.fixture(scope="session", autouse=True)
def _frozen_session_clock() -> Iterator[None]:
    """Freeze the clock for the whole session, not only inside each test: session-scoped
    set-up (the live server, Chromium, anything built once) runs on it too. time-machine
    patches the process, so the live server's thread sees the same instant; the root
    conftest's per-test freeze nests inside at the same instant."""
    with time_machine.travel(FROZEN_AT, tick=False):
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE not in Path(item.path).parents:
            continue
        item.add_marker(pytest.mark.browser)
        # Skip at once rather than after building the demo (with the requirement set, the
        # fixtures below fail instead).
        if REQUIRE_BROWSER:
            continue
        needs = getattr(item, "fixturenames", ())
        if "chromium" in needs and not CHROMIUM.exists():
            item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is missing: {ENABLE_HINT}"))
        elif "axe_js" in needs and not AXE_JS.exists():
            item.add_marker(pytest.mark.skip(reason=f"{AXE_JS} is missing: {ENABLE_HINT}"))
        elif "html_checker" in needs and (missing := html_checker_missing()):
            item.add_marker(pytest.mark.skip(reason=f"{missing}; {REQUIRE_HINT}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    # Keep the outcome on the item so the page fixture can screenshot a failure.
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


def unavailable(reason: str, hint: str = ENABLE_HINT) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} and COREFLECT_REQUIRE_BROWSER=1", pytrace=False)
    pytest.skip(f"{reason}: {hint}")


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium per test process."""
    if not CHROMIUM.exists():
        unavailable(f"browser tests need {CHROMIUM}, which is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_js() -> str:
    if not AXE_JS.exists():
        unavailable(f"the accessibility scan needs {AXE_JS} (npm ci installs axe-core)")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def html_checker() -> Callable[[list[Path]], list]:
    """check_html(files), failing (or skipping) first if Java or vnu.jar is missing."""
    if missing := html_checker_missing():
        unavailable(missing, hint=REQUIRE_HINT)
    return check_html


@dataclass
class ServedHtml:
    """Pages as the server sent them, kept to be checked together at the end of the session."""

    folder: Path
    labels: dict[Path, str] = field(default_factory=dict)
    roles: Counter[str] = field(default_factory=Counter)

    def add(self, role: str, where: str, html: bytes) -> None:
        path = (self.folder / f"{len(self.labels):04d}.html").resolve()
        path.write_bytes(html)
        self.labels[path] = f"{role} {where}"
        self.roles[role] += 1

    def report(self, errors: list) -> str:
        """`role page: line:col message`, grouped by page in the order the pages were seen."""
        by_file: dict[Path, list] = {}
        for error in errors:
            by_file.setdefault(error.file.resolve(), []).append(error)
        lines = [
            f"The Nu Html Checker found {len(errors)} error(s) in {len(by_file)} of the "
            f"{len(self.labels)} pages the accessibility scan visited:"
        ]
        for path in sorted(by_file, key=lambda p: (p not in self.labels, str(p))):
            label = self.labels.get(path, str(path))
            lines += [f"  {label}: {error}" for error in by_file[path]]
        return "\n".join(lines)

    def summary(self) -> str:
        counts = ", ".join(f"{role} {n}" for role, n in self.roles.items())
        return f"Nu Html Checker: {len(self.labels)} pages validated ({counts})"


@pytest.fixture(scope="session")
def served_html(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedHtml]:
    """Collects the served HTML of every page the scan visits, then runs the Nu Html Checker
    once over all of them when the test process finishes (one JVM start, not one a page).

    A page with errors fails the session's last teardown with `role page: line:col message`.
    """
    served = ServedHtml(folder=tmp_path_factory.mktemp("served-html"))
    yield served
    if not served.labels:
        return
    if missing := html_checker_missing():
        # The scan's axe results still count; the skip (or, in CI, the failure) is reported by
        # test_the_html_checker_finds_invalid_html.
        if REQUIRE_BROWSER:
            pytest.fail(f"{missing} and COREFLECT_REQUIRE_BROWSER=1", pytrace=False)
        return
    errors = check_html(list(served.labels))
    print(f"\n{served.summary()}: {len(errors)} error(s)")
    if errors:
        pytest.fail(served.report(errors) + f"\n({served.summary()})", pytrace=False)


@pytest.fixture(autouse=True)
def _browser_settings(settings, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    # Imports finish inside the upload request, and each test writes uploads to its own folder.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    # The login form is the real one; only the hash is cheap (PBKDF2 costs ~1.5 s a sign-in).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The sign-in limits count in the database cache, which a flush between live-server tests
    # leaves alone (it is no model's table) and which the frozen clock never lets age: without
    # this, the session's thirtieth sign-in would be refused as too many in a minute. (Only
    # where the test has a database: the rest may not touch one.)
    if {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        cache.clear()


@dataclass
class Console:
    """What the page said on the console, and any uncaught script errors."""

    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Stylesheets, scripts and images that did not load (an unstyled page fails axe in
    # confusing ways, so say so plainly).
    missing: list[str] = field(default_factory=list)

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if is_csp_violation(m)]

    def clear(self) -> None:
        self.messages.clear()
        self.errors.clear()
        self.missing.clear()


class Screenshots:
    """Saves numbered screenshots under build/screenshots/<test>/."""

    def __init__(self, test_name: str) -> None:
        self.folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "-", test_name).strip("-")
        self.count = 0
        for old in self.folder.glob("*.png"):  # from an earlier run
            old.unlink()

    def __call__(self, page, name: str, *, full_page: bool = True) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^\w.-]+', '-', name)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Screenshots:
    return Screenshots(request.node.name)


ASSETS = {"stylesheet", "script", "image", "font"}


def note_missing(console: Console, response) -> None:
    if response.status >= 400 and response.request.resource_type in ASSETS:
        console.missing.append(f"{response.url} ({response.status})")


def note_failed(console: Console, request) -> None:
    # Leaving a page aborts what it was still loading; that is not a missing file.
    if request.resource_type in ASSETS and "ERR_ABORTED" not in (request.failure or ""):
        console.missing.append(f"{request.url} ({request.failure})")


@pytest.fixture
def open_page(
    chromium, live_server, request: pytest.FixtureRequest, shots: Screenshots
) -> Iterator[Callable[..., tuple[object, Console]]]:
    """Open a page in a fresh context: open_page(viewport=…) → (page, console).

    Each context is closed after the test; a failing test leaves a screenshot of each page.
    A test that passes still fails if a page broke the CSP or threw a script error on the way.
    """
    opened: list[tuple[object, object, Console]] = []

    def opener(**options: object) -> tuple[object, Console]:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = chromium.new_context(
            base_url=live_server.url, locale="en-GB", timezone_id="Europe/London", **options
        )
        # Generous: a shared CI machine can stall for seconds; a real fault still fails.
        context.set_default_timeout(45_000)
        context.set_default_navigation_timeout(45_000)
        page = context.new_page()
        console = Console()
        page.on("console", lambda message: console.messages.append(message.text))
        page.on("pageerror", lambda error: console.errors.append(str(error)))
        page.on("response", lambda response: note_missing(console, response))
        page.on("requestfailed", lambda request: note_failed(console, request))
        opened.append((context, page, console))
        return page, console

    yield opener
    failed = request.node.stash.get(FAILED, False)
    broken: list[str] = []
    for context, page, console in opened:
        if failed and not page.is_closed():
            try:
                shots(page, "failure")
            except Exception:  # noqa: S110 (a failed test's screenshot is best effort)
                pass
        context.close()
        broken += [f"CSP violation: {m}" for m in console.csp_violations]
        broken += [f"script error: {m}" for m in console.errors]
    if broken and not failed:
        pytest.fail("\n".join(broken), pytrace=False)


@pytest.fixture
def page(open_page):
    """A desktop-sized page (1280×900)."""
    page, _console = open_page()
    return page


# Data.


@dataclass(frozen=True)
class Demo:
    today: dt.date
    password: str


@pytest.fixture
def demo(live_server) -> Demo:
    """The demo organisation, built by the real `coreflect demo-data` command as of today,
    which is the frozen clock's day (the app's pages count up to today, so the demo must be
    built for the same day)."""
    today = timezone.localdate()
    call_command("demo-data", "--today", today.isoformat(), stdout=io.StringIO())
    return Demo(today=today, password=PASSWORD)


@pytest.fixture
def login(demo: Demo) -> Callable[..., None]:
    """login(page, person): sign in as a demo person through the login form."""

    def as_person(page, person) -> None:
        sign_in(page, person.user.username, demo.password)

    return as_person
