"""Signing in, in a real browser (issue 10): an invitation through to the landing page with a
second factor set up on the way, a forgotten password, a lockout after repeated failures, and
single sign-on through the local OpenID provider shaped like Entra ID. Emails arrive at a real
SMTP server on 127.0.0.1; the links in them are followed as a person would."""

import re
import shutil

import pytest
from allauth.mfa.totp.internal import auth as totp
from browser_helpers import describe_violations, run_axe
from django.conf import settings as django_settings
from playwright.sync_api import expect

from coreflect.oidc_testing import run_provider
from coreflect.people.models import EmploymentPeriod, Person, Role
from coreflect.signin.invitations import open_accounts
from coreflect.testing import PASSWORD, body_of, make_person

NEW_PASSWORD = "a long new passphrase for nia"
TENANT = "11111111-2222-3333-4444-555555555555"


def link_in(message, live_server) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", body_of(message))
    assert found, body_of(message)
    return live_server.url + found.group(1)


def code_for(secret: str) -> str:
    counter = next(totp.yield_hotp_counters_from_time())
    return totp.format_hotp_value(totp.hotp_value(secret, counter))


def no_violations(page, axe_js, where: str) -> None:
    violations = run_axe(page, axe_js)
    assert not violations, f"{where}: {describe_violations(violations)}"


@pytest.fixture
def required(settings):
    settings.REQUIRE_SECOND_FACTOR = True


def test_an_invitation_to_a_password_to_a_second_factor_to_the_landing_page(
    live_server, transactional_db, page, smtp, required, axe_js, shots
):
    nia = Person.objects.create(
        external_id="N1", name="Nia New", email="nia.new@example.nhs.uk", role=Role.PEER_WORKER
    )
    EmploymentPeriod.objects.create(person=nia, start_date="2024-01-01")
    open_accounts([nia], by=None)
    (invitation,) = smtp.to("nia.new@example.nhs.uk")

    page.goto(link_in(invitation, live_server))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    no_violations(page, axe_js, "choose a password")
    shots(page, "choose-password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name=re.compile("Change password|Set password|Save", re.I)).click()

    page.goto("/accounts/login/")
    page.get_by_label("Email address or username").fill("nia.new@example.nhs.uk")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Nothing opens until a second factor is set up.
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    no_violations(page, axe_js, "set up an authenticator app")
    shots(page, "set-up-authenticator")
    page.get_by_text("I cannot scan the code").click()
    secret = page.locator("#authenticator_secret").inner_text().strip()
    page.get_by_label("Code from the app").fill(code_for(secret))
    page.get_by_role("button", name="Set up").click()

    # The recovery codes, to keep; then the service.
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    no_violations(page, axe_js, "recovery codes")
    shots(page, "recovery-codes")
    page.get_by_role("button", name="I have kept them: continue").click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Nia New")
    shots(page, "landing")


def test_a_forgotten_password(live_server, transactional_db, page, smtp, axe_js):
    make_person("ALICE", "Alice Able", Role.PEER_WORKER)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgotten your password, or never set one?").click()
    no_violations(page, axe_js, "password reset")
    page.get_by_label("Email address").fill("alice@example.nhs.uk")
    page.get_by_role("button").filter(has_text=re.compile("reset", re.I)).click()
    expect(page.locator("main")).to_contain_text("email", ignore_case=True)
    (message,) = smtp.to("alice@example.nhs.uk")

    page.goto(link_in(message, live_server))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name=re.compile("Change password|Set password|Save", re.I)).click()
    expect(page.locator("main")).to_contain_text("changed", ignore_case=True)

    page.goto("/accounts/login/")
    page.get_by_label("Email address or username").fill("alice")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Alice Able")


def test_a_lockout_after_repeated_failures(live_server, transactional_db, page, axe_js, shots):
    make_person("ALICE", "Alice Able", Role.PEER_WORKER)
    page.goto("/accounts/login/")
    for _ in range(django_settings.SIGN_IN_FAILURES_PER_ACCOUNT):
        page.get_by_label("Email address or username").fill("alice")
        page.get_by_label("Password").fill("not her password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    page.get_by_label("Email address or username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed login attempts")
    no_violations(page, axe_js, "locked out")
    shots(page, "locked-out")
    assert "/accounts/login/" in page.url


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node for the provider")
def test_single_sign_on_through_the_local_provider(
    live_server, transactional_db, page, settings, axe_js, shots
):
    make_person("OLLY", "Olly Other", Role.PEER_SUPPORT_WORKER)
    client = {
        "client_id": "coreflect-browser",
        "client_secret": "a-browser-test-secret",
        "redirect_uris": [f"{live_server.url}/accounts/oidc/entra/login/callback/"],
    }
    olly = {
        "oid": "oid-olly",
        "email": "olly@example.nhs.uk",
        "email_verified": True,
        "name": "Olly Other",
        "preferred_username": "olly@example.nhs.uk",
        "amr": ["pwd", "mfa"],
    }
    with run_provider(tenant_id=TENANT, clients=[client], accounts={"olly": olly}) as provider:
        providers = {**django_settings.SOCIALACCOUNT_PROVIDERS}
        providers["openid_connect"] = {
            **providers["openid_connect"],
            "APPS": [
                {
                    "provider_id": "entra",
                    "name": "your Microsoft work account",
                    "client_id": client["client_id"],
                    "secret": client["client_secret"],
                    "settings": {
                        "server_url": provider.issuer,
                        "tenant_id": TENANT,
                        "fetch_userinfo": False,
                    },
                }
            ],
        }
        settings.SOCIALACCOUNT_PROVIDERS = providers
        # As settings.py does for ENTRA_AUTHORITY: the form may go on to the provider.
        settings.SECURE_CSP = {
            **django_settings.SECURE_CSP,
            "form-action": ["'self'", provider.authority],
        }
        settings.REQUIRE_SECOND_FACTOR = True

        page.goto("/accounts/login/")
        no_violations(page, axe_js, "sign in with single sign-on offered")
        page.get_by_role("button", name="Sign in with your Microsoft work account").click()
        page.get_by_label("Username").fill("olly")
        page.get_by_role("button", name="Sign in").click()
        # Entra said it asked for a second factor: the service opens at once.
        expect(page.get_by_role("navigation", name="Account")).to_contain_text("Olly Other")
        shots(page, "signed-in-with-sso")
