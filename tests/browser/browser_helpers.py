"""What the browser tests share besides fixtures: Chromium's launch, the axe-core scan, the CSP
check, the Nu Html Checker run, the focus-indicator check, and the app's pages discovered from
the URL configuration.

Plain functions, so test modules and conftest.py can both import them.
"""

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

# The instant the browser tests run at, the same as the root conftest.py's frozen clock (a
# Monday morning in late November, when the demo has something in every state).
FROZEN_AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London"))

CHROMIUM = Path("/usr/bin/chromium")
# Offline and quiet: no update checks, sync or QUIC, nothing that phones home mid-test.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REQUIRE_BROWSER = os.environ.get("COREFLECT_REQUIRE_BROWSER") == "1"
ENABLE_HINT = (
    "install Debian's Chromium (apt-get install chromium) to run them; "
    "set COREFLECT_REQUIRE_BROWSER=1 to make this a failure"
)

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(settings.BASE_DIR) / "build" / "screenshots"
# The Nu Html Checker (the W3C validator), from the vnu-jar npm package; it needs Java 17+.
VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")

# URL patterns the scan leaves out: Django's admin, signing out (a POST that ends the
# session) and anything whose route ends in a file extension (downloads such as .csv, .xlsx).
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {
    "account_logout",
    # allauth's pages this service blocks (coreflect/signin/urls.py: they answer 404).
    "signin_unused",
    "account_signup",
    "account_email",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_confirm_login_code",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "socialaccount_signup",
    "socialaccount_connections",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    # Single sign-on's start and return: they leave for the identity provider (a journey in
    # tests/browser/test_sso.py goes through them).
    "openid_connect_login",
    "openid_connect_callback",
    # The recovery codes as a text file: a download.
    "mfa_download_recovery_codes",
}
DOWNLOAD = re.compile(r"\.[A-Za-z0-9]+/?$")


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the real login form."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/accounts/login/" not in page.url, f"signing in as {username} failed: {page.url}"


# The CSP and the console.


def csp_problems(url: str, headers: dict[str, str]) -> list[str]:
    """What is wrong with a page's Content-Security-Policy header, if anything."""
    policy = headers.get("content-security-policy")
    if not policy:
        return [f"{url}: no Content-Security-Policy header"]
    directives = {
        part.strip().split(" ", 1)[0]: part.strip() for part in policy.split(";") if part.strip()
    }
    script_src = directives.get("script-src") or directives.get("default-src") or ""
    if not script_src:
        return [f"{url}: the Content-Security-Policy has no script-src or default-src"]
    if "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
        return [f"{url}: the Content-Security-Policy allows unsafe script: {script_src}"]
    return []


def is_csp_violation(text: str) -> bool:
    """Chromium reports a blocked script, style or connection to the console like this."""
    return "Content Security Policy" in text or "Content-Security-Policy" in text


# axe-core.


def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page, source: str) -> list[dict]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now.

    axe is evaluated through the DevTools protocol, which the page's CSP does not govern, so
    the policy stays as strict as in production: no script tag is added, CSP is not bypassed.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations.map(v => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({
                    target: n.target.join(" "),
                    html: n.html,
                    summary: n.failureSummary,
                })),
            }));
        }""",
        AXE_TAGS,
    )


def describe_violations(where: str, violations: list[dict]) -> str:
    """Violations as a reader wants them: rule, impact, help, then each element."""
    lines = [f"{where}: {len(violations)} accessibility violation(s)"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"      at {node['target']}")
            lines.append(f"         {node['html'][:200]}")
            summary = " ".join((node["summary"] or "").split())
            if summary:
                lines.append(f"         {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"      … and {len(v['nodes']) - 8} more elements")
    return "\n".join(lines)


# The Nu Html Checker.


def html_checker_missing() -> str | None:
    """Why the Nu Html Checker cannot run here, or None when it can."""
    if JAVA is None:
        return "the HTML validity check needs Java 17+ (apt-get install default-jre-headless)"
    if not VNU_JAR.exists():
        return f"the HTML validity check needs {VNU_JAR} (npm ci installs vnu-jar)"
    return None


@dataclass(frozen=True)
class HtmlError:
    """One error the checker reported: the file, where in it, and what."""

    file: Path
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}:{self.column} {self.message}"


def check_html(files: list[Path]) -> list[HtmlError]:
    """The Nu Html Checker's errors in these files (warnings left out), in one run: the JVM
    takes seconds to start, so callers collect pages and check them together."""
    if not files:
        return []
    result = subprocess.run(  # noqa: S603 (fixed arguments and our own temporary files)
        [
            str(JAVA),
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--errors-only",
            "--no-langdetect",  # language detection only ever warns
            "--stdout",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        raise AssertionError(
            f"the Nu Html Checker did not answer JSON (exit status {result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        ) from None
    errors = []
    for message in messages:
        # "error", or "non-document-error" when a file could not be read at all.
        if message.get("type") == "info":
            continue
        errors.append(
            HtmlError(
                # The checker names a file as a URL: file:/tmp/…/0001.html.
                file=Path(message.get("url", "").removeprefix("file:")),
                line=message.get("firstLine", message.get("lastLine", 0)),
                column=message.get("firstColumn", 0),
                message=message.get("message", str(message)),
            )
        )
    if result.returncode not in {0, 1} or (result.returncode == 1 and not errors):
        raise AssertionError(
            f"the Nu Html Checker failed (exit status {result.returncode}):\n"
            f"{result.stderr[-2000:]}"
        )
    return errors


# Focus.

FOCUS_STYLE_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        element: el.tagName.toLowerCase()
            + (el.id ? "#" + el.id : "")
            + (el.className && typeof el.className === "string"
                ? "." + el.className.trim().split(/\\s+/).join(".") : ""),
        text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 60),
        outlineStyle: style.outlineStyle,
        outlineWidth: style.outlineWidth,
        boxShadow: style.boxShadow,
        width: box.width,
        height: box.height,
        // Tab also stops on the calendar or clock button inside a date or time input: the
        // focus is then in the browser's own shadow DOM, which draws its own focus ring.
        innerControl: !el.matches(":focus") && el.matches(":focus-within"),
    };
}"""


@dataclass(frozen=True)
class Focus:
    element: str
    text: str
    outline_style: str
    outline_width: str
    box_shadow: str
    width: float
    height: float
    inner_control: bool = False

    @property
    def visible_indicator(self) -> bool:
        if self.inner_control:
            return True
        outline = self.outline_style != "none" and self.outline_width not in {"0px", ""}
        shadow = self.box_shadow not in {"none", ""}
        return (outline or shadow) and self.width > 0 and self.height > 0

    def __str__(self) -> str:
        return (
            f"<{self.element}> {self.text!r} (outline {self.outline_style} {self.outline_width},"
            f" box-shadow {self.box_shadow}, {self.width:.0f}×{self.height:.0f})"
        )


def focused(page) -> Focus | None:
    data = page.evaluate(FOCUS_STYLE_JS)
    if data is None:
        return None
    return Focus(
        element=data["element"],
        text=data["text"],
        outline_style=data["outlineStyle"],
        outline_width=data["outlineWidth"],
        box_shadow=data["boxShadow"],
        width=data["width"],
        height=data["height"],
        inner_control=data["innerControl"],
    )


# The app's pages, from the URL configuration.


@dataclass(frozen=True)
class PagePattern:
    """One URL pattern the scan must visit: its name for reverse() and its parameters."""

    name: str
    route: str
    params: tuple[str, ...]


def _param_names(pattern: RoutePattern | RegexPattern) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    regex = pattern.regex
    if regex.groups != len(regex.groupindex):
        raise AssertionError(
            f"URL pattern {pattern} has an unnamed group; name it so the scan can fill it"
        )
    return tuple(regex.groupindex)


def _walk(
    patterns: list, prefix: str, namespace: str | None, params: tuple[str, ...]
) -> Iterator[PagePattern]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = ":".join(n for n in (namespace, entry.namespace) if n) or None
            yield from _walk(entry.url_patterns, route, inner, params + _param_names(entry.pattern))
        elif isinstance(entry, URLPattern):
            if entry.name in SKIPPED_NAMES or DOWNLOAD.search(route):
                continue
            if route.lstrip("^/").startswith(settings.STATIC_URL.strip("/")):
                continue
            if entry.name is None and route.startswith("accounts/social/"):
                continue  # allauth's old addresses, nameless; blocked (coreflect/signin/urls.py)
            if entry.name is None:
                raise AssertionError(
                    f"URL pattern {route!r} has no name; name it so the scan can reverse() it"
                )
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield PagePattern(name, route, params + _param_names(entry.pattern))


def app_pages() -> list[PagePattern]:
    """Every page of the app, from django.urls (not a hand-kept list)."""
    seen: dict[str, PagePattern] = {}
    for page in _walk(get_resolver().url_patterns, "", None, ()):
        seen.setdefault(page.name, page)
    return list(seen.values())
