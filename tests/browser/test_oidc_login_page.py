"""The tests' OpenID provider's login page in a real Chromium: accessible (axe-core), refusing an
unknown login, then sending the browser back to the client with a code. The client here is a
plain HTTP server on 127.0.0.1 that records what reaches it.

The session's clock is frozen (conftest.py) and the provider's is given the same instant, while
Chromium's is the real one: the provider's cookies must still be kept.
"""

import datetime as dt
import shutil
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from browser_helpers import describe_violations, run_axe
from playwright.sync_api import expect

from coreflect.oidc_testing import NODE_MISSING, run_provider

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason=NODE_MISSING)

TENANT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


class Callback(BaseHTTPRequestHandler):
    """The client's server: records each request's path and query."""

    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = b"Signed in"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def callback_server() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("RecordingCallback", (Callback,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/callback/", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_person_signs_in_at_the_test_provider_in_a_real_browser(
    chromium, axe_js, callback_server
):
    redirect_uri, seen = callback_server
    client = {"client_id": "coreflect", "client_secret": "s", "redirect_uris": [redirect_uri]}
    alice = {
        "oid": "00000000-0000-0000-0000-00000000a11c",
        "email": "alice@example.nhs.uk",
        "email_verified": True,
        "name": "Alice Example",
        "preferred_username": "alice@example.nhs.uk",
        "amr": ["pwd", "mfa"],
    }
    with run_provider(
        tenant_id=TENANT, clients=[client], accounts={"alice": alice}, now=dt.datetime.now(dt.UTC)
    ) as provider:
        query = urllib.parse.urlencode(
            {
                "client_id": "coreflect",
                "response_type": "code",
                "redirect_uri": redirect_uri,
                "scope": "openid profile email",
                "state": "the-state",
            }
        )
        context = chromium.new_context()
        try:
            page = context.new_page()
            page.goto(f"{provider.issuer}/auth?{query}")

            expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
            violations = run_axe(page, axe_js)
            assert violations == [], describe_violations("login page", violations)

            page.get_by_label("Username").fill("mallory")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("alert")).to_have_text("There is no account called mallory.")
            expect(page).to_have_title("Error: Sign in – Test Entra ID")
            violations = run_axe(page, axe_js)
            assert violations == [], describe_violations("login page with an error", violations)

            page.get_by_label("Username").fill("alice")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{redirect_uri}?**")
        finally:
            context.close()

    # (Chromium may also ask the client's server for /favicon.ico.)
    callbacks = [path for path in seen if path.startswith("/callback/")]
    assert len(callbacks) == 1
    returned = urllib.parse.parse_qs(urllib.parse.urlsplit(callbacks[0]).query)
    assert returned["state"] == ["the-state"]
    assert returned["code"][0]
