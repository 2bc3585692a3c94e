"""The page shell: NHS.UK frontend assets, the login and error pages, the strict CSP."""

import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import get_template, render_to_string
from django.test import Client
from django.urls import reverse

from coreflect.testing import PASSWORD

VENDOR = Path(settings.BASE_DIR) / "coreflect" / "static" / "vendor"
STATUS_TAGS = ("met", "not_met", "at_risk", "on_track", "not_started", "not_applicable")


class PageParts(HTMLParser):
    """Collects what the CSP cares about: scripts, style attributes, event handlers, labels."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline: list[str] = []
        self.labels: dict[str, str] = {}
        self.inputs: dict[str, dict[str, str | None]] = {}
        self._label_for: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "style":
            self.inline.append("<style> element")
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"{name}= on <{tag}>")
        if tag == "label":
            self._label_for = attributes.get("for")
        if tag == "input" and attributes.get("id"):
            self.inputs[attributes["id"]] = attributes

    def handle_data(self, data: str) -> None:
        if self._label_for and data.strip():
            self.labels[self._label_for] = data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_for = None


def parts_of(response) -> PageParts:
    parser = PageParts()
    parser.feed(response.content.decode())
    return parser


def assert_nothing_inline(response) -> None:
    """No inline script or style: every <script> has a src and the response's nonce."""
    parts = parts_of(response)
    assert parts.inline == []
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert parts.scripts, "the page loads no script at all"
    for script in parts.scripts:
        assert script.get("src"), script
        assert script.get("nonce") == nonce, script


def test_compiled_nhs_frontend_css_is_served_without_a_cdn(client, db):
    response = client.get("/static/vendor/coreflect.css")
    assert response.status_code == 200
    css = b"".join(response.streaming_content).decode()
    assert ".nhsuk-header" in css
    assert "assets.nhs.uk" not in css  # no web font or image from a CDN
    assert "@font-face" not in css and "Frutiger" not in css
    assert "font-family:arial,sans-serif" in css
    assert "/static/vendor/assets/images/" in css


def test_every_compliance_status_has_its_own_tag_colours(db):
    css = (VENDOR / "coreflect.css").read_text()
    for status in STATUS_TAGS:
        assert re.search(rf"\.app-status--{status}\{{[^}}]*background-color:", css), status


def test_nhs_frontend_script_icons_and_htmx_are_served(client, db):
    for name in ("nhsuk-frontend.min.js", "htmx.min.js", "assets/images/favicon.svg"):
        assert client.get(f"/static/vendor/{name}").status_code == 200, name
    assert client.get("/static/js/app.mjs").status_code == 200


def test_login_page_labels_every_field_and_has_no_inline_script_or_style(client, db):
    response = client.get("/accounts/login/")
    parts = parts_of(response)
    assert parts.labels["id_login"] == "Email address or username"
    assert parts.labels["id_password"] == "Password"
    assert parts.inputs["id_login"]["autocomplete"] == "username"
    assert parts.inputs["id_password"]["autocomplete"] == "current-password"
    assert_nothing_inline(response)


def test_signed_in_pages_have_no_inline_script_or_style(login, ada):
    assert_nothing_inline(login(ada).get("/"))


def test_pages_carry_a_strict_content_security_policy(client, db):
    csp = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_htmx_adds_no_inline_styles_and_sends_the_csrf_token(login, alice):
    response = login(alice).get("/")
    html = response.content.decode()
    assert '"includeIndicatorStyles": false' in html
    header = re.search(r"<body data-hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'>", html)
    assert header and len(header.group(1)) >= 32


def test_signed_out_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_wrong_password_shows_an_error_summary_linked_to_the_field(client, alice):
    response = client.post("/accounts/login/", {"login": "alice", "password": "wrong"})
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The username and/or password you specified are not correct." in html
    assert "<title>Error: Sign in" in html


def test_empty_sign_in_says_what_to_enter(client, db):
    html = client.post("/accounts/login/", {"login": "", "password": ""}).content.decode()
    assert '<a href="#id_login">Enter your email address or username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert 'aria-describedby="id_password_error"' in html


def test_right_password_signs_in_and_sign_out_is_a_post(client, alice):
    response = client.post(
        "/accounts/login/", {"login": "alice", "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert "Alice Able" in html
    assert re.search(
        r'<form class="nhsuk-header__account-form" action="/accounts/logout/" method="post"', html
    )
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_unknown_page_shows_the_plain_language_404(login, alice):
    response = login(alice).get("/no-such-page/")
    assert response.status_code == 404
    assert b"<h1>Page not found</h1>" in response.content
    assert b"Skip to main content" in response.content


def test_unknown_page_shows_the_404_when_signed_out_too(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"<h1>Page not found</h1>" in response.content
    assert b"Sign out" not in response.content


def test_expired_form_shows_a_plain_language_403(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "x"})
    assert response.status_code == 403
    assert b"<h1>Your form was not sent</h1>" in response.content


def test_opening_a_button_only_address_explains_itself_and_changes_nothing(login, alice):
    response = login(alice).get(reverse("notes:model_decide", args=[1]))
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert b"<h1>This address is for a button</h1>" in response.content
    assert b"nothing has been changed" in response.content


def test_server_error_page_renders_without_the_database_or_a_request():
    html = get_template("500.html").render()
    assert "Sorry, there is a problem with the service" in html
    assert "/static/vendor/coreflect.css" in html


def test_navigation_offers_only_what_the_role_may_use(login, alice, sam, ada):
    alice_nav = login(alice).get("/").content.decode()
    assert "Attendance matrix</a>" in alice_nav
    for hidden in ("Sessions", "Import", "Policy"):
        assert f">{hidden}</a>" not in alice_nav
    sam_nav = login(sam).get("/").content.decode()
    assert ">Sessions</a>" in sam_nav and ">Import</a>" not in sam_nav
    ada_nav = login(ada).get("/").content.decode()
    assert ">Import</a>" in ada_nav and ">Policy</a>" in ada_nav
    assert ">Sessions</a>" not in ada_nav


def test_navigation_marks_the_current_page(login, alice):
    html = login(alice).get("/matrix/").content.decode()
    assert re.search(r'href="/matrix/" aria-current="page"><strong[^>]*>Attendance matrix', html)


def test_messages_are_announced_as_status_in_words(rf, alice):
    request = rf.get("/")
    request.user = alice.user
    request.session = {}
    request._messages = FallbackStorage(request)
    request._messages.add(message_levels.SUCCESS, "Session saved.")
    html = render_to_string("base.html", request=request)
    assert re.search(
        r'<div class="nhsuk-inset-text[^"]*" role="status">\s*'
        r'<span class="nhsuk-u-visually-hidden">Success: </span>\s*<p>Session saved.</p>',
        html,
    )


def test_favicon_is_served_to_anyone(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/vendor/assets/images/favicon.ico"
