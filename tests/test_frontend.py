"""The page shell: NHS.UK frontend assets, the login page, the strict CSP."""

import re
from pathlib import Path

from django.conf import settings

VENDOR = Path(settings.BASE_DIR) / "coreflect" / "static" / "vendor"


def test_compiled_nhs_frontend_css_is_served_without_a_cdn(client, db):
    response = client.get("/static/vendor/coreflect.css")
    assert response.status_code == 200
    css = b"".join(response.streaming_content).decode()
    assert ".nhsuk-header" in css
    assert "assets.nhs.uk" not in css  # no web font or image from a CDN
    assert "/static/vendor/assets/images/" in css


def test_nhs_frontend_script_and_htmx_are_served(client, db):
    for name in ("nhsuk-frontend.min.js", "htmx.min.js"):
        assert client.get(f"/static/vendor/{name}").status_code == 200
    assert (VENDOR / "assets" / "images" / "favicon.svg").exists()


def test_login_page_labels_every_field_and_has_no_inline_script_or_style(client, db):
    response = client.get("/login/")
    html = response.content.decode()
    assert '<label class="nhsuk-label" for="id_username">Username</label>' in html
    assert '<label class="nhsuk-label" for="id_password">Password</label>' in html
    assert "style=" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag, tag
        assert "nonce=" in tag, tag


def test_pages_carry_a_strict_content_security_policy(client, db):
    csp = client.get("/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_signed_out_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_wrong_password_shows_an_error_summary(client, alice):
    response = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert b"There is a problem" in response.content


def test_unknown_page_shows_the_plain_language_404(login, alice):
    response = login(alice).get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_navigation_offers_only_what_the_role_may_use(login, alice, ada):
    alice_nav = login(alice).get("/").content.decode()
    assert "Attendance matrix" in alice_nav and "Policy</a>" not in alice_nav
    ada_nav = login(ada).get("/").content.decode()
    assert "Policy</a>" in ada_nav
