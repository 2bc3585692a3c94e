"""Signing in with a password (issue 10, point 1): by email or username, the session key new at
sign-in, failed attempts throttled per account and per client address, the address the
connection's unless it came through a trusted proxy, and leavers refused."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from coreflect.audit.models import AuditEvent
from coreflect.people.models import EmploymentPeriod
from coreflect.testing import PASSWORD

LOGIN = "/accounts/login/"
LONDON = ZoneInfo("Europe/London")
TOO_MANY = "Too many failed login attempts. Try again later."


def attempt(client, login, password, address="192.0.2.7", **headers):
    return client.post(
        LOGIN, {"login": login, "password": password}, REMOTE_ADDR=address, **headers
    )


def signed_in(client):
    return "_auth_user_id" in client.session


def test_sign_in_by_email_or_by_username(client, alice):
    assert attempt(client, "alice@example.nhs.uk", PASSWORD).url == "/"
    assert signed_in(client)
    client.post(reverse("account_logout"))
    assert not signed_in(client)
    assert attempt(client, "ALICE", PASSWORD).url == "/"
    assert signed_in(client)


def test_signing_in_gives_the_session_a_new_key(client, alice):
    session = client.session
    session["before"] = "kept"
    session.save()
    before = session.session_key
    attempt(client, "alice", PASSWORD)
    assert client.session.session_key != before
    assert client.session["before"] == "kept"


def test_a_wrong_password_is_refused_and_recorded(client, alice):
    response = attempt(client, "alice", "not it")
    assert response.status_code == 200 and not signed_in(client)
    assert "There is a problem" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.sign_in_failed").count() == 1


def test_an_account_locks_after_five_failures_for_fifteen_minutes_from_any_address(
    client, alice, frozen_clock
):
    for n in range(5):
        assert TOO_MANY not in attempt(client, "alice", "wrong", f"192.0.2.{n}").content.decode()
    # The right password, from yet another address, is refused while the lock lasts.
    response = attempt(client, "alice", PASSWORD, "198.51.100.1")
    assert TOO_MANY in response.content.decode() and not signed_in(client)
    frozen_clock.shift(dt.timedelta(minutes=14))
    assert TOO_MANY in attempt(client, "alice", PASSWORD, "198.51.100.1").content.decode()
    frozen_clock.shift(dt.timedelta(minutes=2))
    assert attempt(client, "alice", PASSWORD, "198.51.100.1").status_code == 302
    assert signed_in(client)


def test_four_failures_do_not_lock(client, alice):
    for _ in range(4):
        attempt(client, "alice", "wrong")
    assert attempt(client, "alice", PASSWORD).status_code == 302


def test_one_address_gets_twenty_failures_whatever_the_accounts(client, alice, olly):
    for n in range(20):
        attempt(client, f"nobody{n}", "wrong")
    # Olly's right password from that address is refused; from another it works.
    assert TOO_MANY in attempt(client, "olly", PASSWORD).content.decode()
    assert attempt(client, "olly", PASSWORD, "198.51.100.1").status_code == 302


def test_a_forged_forwarded_for_header_changes_nothing(client, olly):
    for n in range(20):
        attempt(client, f"nobody{n}", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert (
        TOO_MANY
        in attempt(client, "olly", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.200").content.decode()
    )
    failed = AuditEvent.objects.filter(action="auth.sign_in_failed")
    assert {event.detail["address"] for event in failed} == {"192.0.2.7"}


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, olly, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    for n in range(20):
        attempt(client, f"nobody{n}", "wrong", "10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
    # Another client behind the same proxy is not locked out by the first one's failures.
    other = attempt(client, "olly", PASSWORD, "10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 302
    failed = AuditEvent.objects.filter(action="auth.sign_in_failed")
    assert {event.detail["address"] for event in failed} == {"203.0.113.9"}


def test_a_forged_hop_in_front_of_the_proxys_is_not_believed(client, olly, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    attempt(client, "x", "wrong", "10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    event = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert event.detail["address"] == "203.0.113.9"


def test_a_leaver_cannot_sign_in_after_their_last_day(client, alice):
    period = EmploymentPeriod.objects.get(person=alice)
    period.end_date = dt.date(2026, 11, 23)  # today, frozen: their last day still works
    period.save()
    assert attempt(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("account_logout"))
    period.end_date = dt.date(2026, 11, 22)
    period.save()
    response = attempt(client, "alice", PASSWORD)
    assert response.status_code == 403 and not signed_in(client)
    assert "Your account is not active" in response.content.decode()
    # A wrong password says no more than any wrong password does.
    assert "not active" not in attempt(client, "alice", "wrong").content.decode()


def test_a_leaver_already_signed_in_is_signed_out_the_day_after_their_last(
    client, alice, frozen_clock
):
    frozen_clock.move_to(dt.datetime(2026, 11, 23, 23, 50, tzinfo=LONDON))
    attempt(client, "alice", PASSWORD)
    EmploymentPeriod.objects.filter(person=alice).update(end_date=dt.date(2026, 11, 23))
    assert client.get("/").status_code == 200
    frozen_clock.shift(dt.timedelta(minutes=20))
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert not signed_in(client)
    assert AuditEvent.objects.filter(action="auth.signed_out_leaver", actor=alice.user).exists()


def test_someone_not_employed_in_peer_work_still_signs_in(client, ada):
    # The administrator has no employment periods (not a peer-work role): not a leaver.
    assert not EmploymentPeriod.objects.filter(person=ada).exists()
    assert attempt(client, "ada", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "address", ["/accounts/signup/", "/accounts/email/", "/accounts/3rdparty/"]
)
def test_nobody_signs_up_changes_their_address_or_links_other_accounts(login, alice, address):
    client = login(alice)
    assert client.get(address).status_code == 404
    posted = client.post(address, {"email": "mine@example.com", "username": "me"})
    assert posted.status_code == 404
    assert not User.objects.filter(email="mine@example.com").exists()


def test_the_login_page_offers_a_reset(client, db):
    html = client.get(LOGIN).content.decode()
    assert 'href="/accounts/password/reset/"' in html
    assert "sign up" not in html.lower()
