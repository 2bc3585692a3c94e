"""The second factor (issue 10, point 2): an authenticator app (TOTP) with recovery codes. Where
it is required (always in production), a sign-in without one reaches only enrolment and signing
out; once enrolled, signing in asks for a code; the session gets a new key after it; adding,
using and failing one are on the audit log. Development may leave it optional, with a banner."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from django.urls import reverse

from coreflect.audit.models import AuditEvent
from coreflect.signin import state
from coreflect.testing import PASSWORD


def code_for(secret: str) -> str:
    """The code an authenticator app shows now for this secret."""
    counter = next(totp.yield_hotp_counters_from_time())
    return totp.format_hotp_value(totp.hotp_value(secret, counter))


def sign_in(client, login="alice", password=PASSWORD):
    return client.post("/accounts/login/", {"login": login, "password": password})


@pytest.fixture
def required(settings):
    settings.REQUIRE_SECOND_FACTOR = True


@pytest.fixture
def enrol(client, transactional_db):
    def through_the_pages() -> str:
        """Set up an authenticator app through the pages; returns its secret."""
        page = client.get(reverse("mfa_activate_totp"))
        assert page.status_code == 200
        secret = client.session[totp.SECRET_SESSION_KEY]
        assert secret in page.content.decode()  # shown for typing in, beside the QR code
        # allauth tells the rest of the app once the change is committed: transactional_db
        # lets that happen inside the request, as in production.
        response = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
        assert response.status_code == 302, response.content.decode()
        return secret

    return through_the_pages


def test_without_a_second_factor_only_enrolment_and_signing_out_open(client, alice, required):
    assert sign_in(client).status_code == 302
    for address in ("/", "/matrix/", reverse("compliance:me"), "/audit/"):
        response = client.get(address)
        assert response.status_code == 302, address
        assert response.url == reverse("mfa_activate_totp"), address
    enrolment = client.get(reverse("mfa_activate_totp"))
    assert enrolment.status_code == 200
    assert "a second factor is optional here" not in enrolment.content.decode()
    assert 'aria-label="Menu"' not in enrolment.content.decode()  # it would lead nowhere
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("account_logout")).status_code == 200
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_enrolling_opens_the_service_rotates_the_session_and_is_recorded(
    client, alice, required, enrol
):
    sign_in(client)
    before = client.session.session_key
    enrol()
    assert client.session.session_key != before
    assert Authenticator.objects.filter(user=alice.user, type="totp").exists()
    # Recovery codes come with it, to write down.
    assert Authenticator.objects.filter(user=alice.user, type="recovery_codes").exists()
    assert 'aria-label="Menu"' in client.get("/").content.decode()
    added = AuditEvent.objects.filter(action="auth.mfa_add", actor=alice.user)
    assert sorted(event.detail["type"] for event in added) == ["recovery_codes", "totp"]


def test_a_wrong_enrolment_code_is_refused(client, alice, required):
    sign_in(client)
    client.get(reverse("mfa_activate_totp"))
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Authenticator.objects.filter(user=alice.user).exists()
    assert client.get("/").status_code == 302


def test_once_enrolled_signing_in_asks_for_a_code(client, alice, required, frozen_clock, enrol):
    sign_in(client)
    secret = enrol()
    client.post(reverse("account_logout"))

    response = sign_in(client)
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in until the code is given
    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.mfa_failed").exists()

    frozen_clock.shift(60)  # the next code: one is accepted once only
    before = client.session.session_key
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert response.status_code == 302 and response.url == "/"
    assert client.session["_auth_user_id"] == str(alice.user.pk)
    assert client.session.session_key != before
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.mfa_use", actor=alice.user).exists()


def test_a_recovery_code_signs_in_instead(client, alice, required, enrol):
    sign_in(client)
    enrol()
    codes = Authenticator.objects.get(user=alice.user, type="recovery_codes").wrap()
    client.post(reverse("account_logout"))
    sign_in(client)
    code = codes.get_unused_codes()[0]
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_a_session_from_before_the_factor_proves_it_again(client, alice, required):
    Authenticator.objects.create(user=alice.user, type=Authenticator.Type.TOTP, data={})
    client.force_login(alice.user)
    response = client.get("/matrix/")
    assert response.url == f"{reverse('mfa_reauthenticate')}?next=%2Fmatrix%2F"


def test_development_may_leave_it_optional_with_a_banner(client, alice, settings):
    settings.REQUIRE_SECOND_FACTOR = False
    sign_in(client)
    html = client.get("/").content.decode()
    assert "a second factor is optional here" in html
    session = client.session
    session[state.SECOND_FACTOR_AT] = time.time()
    session.save()
    assert "a second factor is optional here" not in client.get("/").content.decode()


def test_changing_a_second_factor_once_one_is_set_up_asks_to_prove_it_again(
    client, alice, required, enrol, frozen_clock
):
    sign_in(client)
    enrol()
    # Just after setting it up, the recovery codes show without asking again.
    assert client.get(reverse("mfa_view_recovery_codes")).status_code == 200
    frozen_clock.shift(6 * 60)  # past allauth's five-minute window
    for name in ("mfa_deactivate_totp", "mfa_add_webauthn", "mfa_generate_recovery_codes"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("account_reauthenticate")), name
