"""Single sign-on with Microsoft Entra ID (issue 10, point 3), end to end against a real OpenID
provider started on 127.0.0.1 (coreflect/oidc_testing.py, shaped like Entra ID): accounts are
linked on tid and oid, matched by a verified email once and only for the configured tenant; a
token whose amr says "mfa" asks for no second factor here."""

import datetime as dt
import shutil
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal import auth as totp
from allauth.mfa.totp.internal.auth import TOTP
from allauth.socialaccount.models import SocialAccount
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from coreflect.audit.models import AuditEvent
from coreflect.oidc_testing import run_provider, sign_in
from coreflect.people.models import EmploymentPeriod

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node for the provider")

TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "99999999-8888-7777-6666-555555555555"
CLIENT = {
    "client_id": "coreflect-test",
    "client_secret": "a-test-secret-not-used-anywhere-else",
    "redirect_uris": ["http://testserver/accounts/oidc/entra/login/callback/"],
}


def account(oid, email, *, verified=True, amr=("pwd",), tid=TENANT):
    return {
        "oid": oid,
        "tid": tid,
        "email": email,
        "email_verified": verified,
        "name": email.split("@")[0],
        "preferred_username": email,
        "amr": list(amr),
    }


ACCOUNTS = {
    "alice": account("oid-alice", "alice@example.nhs.uk"),
    "impostor": account("oid-impostor", "alice@example.nhs.uk"),
    "unverified": account("oid-sam", "sam@example.nhs.uk", verified=False),
    "stranger": account("oid-stranger", "stranger@example.nhs.uk"),
    "elsewhere": account("oid-lena", "lena@example.nhs.uk", tid=OTHER_TENANT),
    "olly": account("oid-olly", "olly@example.nhs.uk", amr=("pwd", "mfa")),
}


@pytest.fixture(scope="module")
def provider():
    with run_provider(tenant_id=TENANT, clients=[CLIENT], accounts=ACCOUNTS) as running:
        yield running


def point_at(provider, settings):
    """Entra ID single sign-on switched on, pointing at this provider, as the ENTRA_* settings
    would (coreflect/settings.py)."""
    providers = {**django_settings.SOCIALACCOUNT_PROVIDERS}
    providers["openid_connect"] = {
        **providers["openid_connect"],
        "APPS": [
            {
                "provider_id": "entra",
                "name": "your Microsoft work account",
                "client_id": CLIENT["client_id"],
                "secret": CLIENT["client_secret"],
                "settings": {
                    "server_url": provider.issuer,
                    "tenant_id": TENANT,
                    "fetch_userinfo": False,
                },
            }
        ],
    }
    settings.SOCIALACCOUNT_PROVIDERS = providers
    return provider


@pytest.fixture
def entra(provider, settings):
    return point_at(provider, settings)


def sso(client, login: str):
    """Start at the sign-in page's button, sign in at the provider, come back."""
    started = client.post(reverse("openid_connect_login", kwargs={"provider_id": "entra"}))
    assert started.status_code == 302, started.content.decode()[:500]
    back = urlsplit(sign_in(started.url, login))
    assert back.path == "/accounts/oidc/entra/login/callback/"
    return client.get(f"{back.path}?{back.query}")


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_the_sign_in_page_offers_the_work_account(client, entra, db):
    html = client.get("/accounts/login/").content.decode()
    assert "Sign in with your Microsoft work account" in html


def test_without_the_settings_there_is_no_button(client, db):
    assert "Microsoft" not in client.get("/accounts/login/").content.decode()


def test_a_first_sign_in_links_on_tid_and_oid_after_matching_the_verified_email(
    client, entra, alice
):
    response = sso(client, "alice")
    assert response.status_code == 302 and response.url == "/"
    assert signed_in_as(client) == str(alice.user.pk)
    linked = SocialAccount.objects.get(user=alice.user)
    assert (linked.provider, linked.uid) == ("entra", f"{TENANT}:oid-alice")
    assert AuditEvent.objects.filter(action="auth.sso_linked", actor=alice.user).exists()
    assert AuditEvent.objects.filter(action="auth.sign_in", actor=alice.user).exists()


def test_later_sign_ins_follow_the_link_not_the_email(client, entra, alice, settings):
    sso(client, "alice")
    client.logout()
    # Entra now says another address: still Alice, because tid and oid are the same.
    renamed = {"alice": account("oid-alice", "alice.able@newname.nhs.uk")}
    with run_provider(tenant_id=TENANT, clients=[CLIENT], accounts=renamed) as changed:
        point_at(changed, settings)
        response = sso(client, "alice")
    assert response.url == "/" and signed_in_as(client) == str(alice.user.pk)
    client.logout()
    point_at(entra, settings)
    # Another Entra account with Alice's address is not let in as her: she is linked already.
    response = sso(client, "impostor")
    assert response.status_code == 403 and signed_in_as(client) is None
    assert "not linked to anyone in Coreflect" in response.content.decode()
    assert SocialAccount.objects.count() == 1


def test_an_unverified_or_unknown_email_is_refused(client, entra, alice):
    for login in ("unverified", "stranger"):
        response = sso(client, login)
        assert response.status_code == 403 and signed_in_as(client) is None
    refused = AuditEvent.objects.filter(action="auth.sso_refused")
    assert [event.detail["reason"] for event in refused] == ["no_account", "no_account"]
    assert not SocialAccount.objects.exists()


def test_another_tenants_account_is_refused_even_with_a_known_email(client, entra, alice):
    response = sso(client, "elsewhere")
    assert response.status_code == 403 and signed_in_as(client) is None
    assert "belongs to another organisation" in response.content.decode()
    assert AuditEvent.objects.get(action="auth.sso_refused").detail["reason"] == "another_tenant"


def test_when_the_token_says_mfa_no_second_factor_is_asked(client, entra, olly, settings):
    settings.REQUIRE_SECOND_FACTOR = True
    response = sso(client, "olly")
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_it_is_not_asked_even_of_someone_who_has_an_authenticator_app(
    client, entra, olly, settings
):
    settings.REQUIRE_SECOND_FACTOR = True
    TOTP.activate(olly.user, totp.generate_totp_secret())
    response = sso(client, "olly")
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_when_it_does_not_a_second_factor_is_required(client, entra, alice, settings):
    settings.REQUIRE_SECOND_FACTOR = True
    response = sso(client, "alice")
    assert signed_in_as(client) == str(alice.user.pk)
    assert client.get("/").url == reverse("mfa_activate_totp")
    # Setting one up right after signing in asks for no password (she may have none).
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert response.status_code == 302


def test_an_account_with_an_app_is_asked_for_its_code_when_the_token_has_no_mfa(
    client, entra, alice, settings
):
    settings.REQUIRE_SECOND_FACTOR = True
    TOTP.activate(alice.user, totp.generate_totp_secret())
    response = sso(client, "alice")
    assert response.url == reverse("mfa_authenticate")
    assert signed_in_as(client) is None


def test_a_leaver_is_refused(client, entra, alice):
    sso(client, "alice")
    client.logout()
    EmploymentPeriod.objects.filter(person=alice).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    response = sso(client, "alice")
    assert response.status_code == 403 and signed_in_as(client) is None
    assert "Your account is not active" in response.content.decode()
