"""Passwords by email, through a real SMTP server on 127.0.0.1 (issue 10, points 1 and 4): a
reset link works once, requests are limited per address and per account, a change is recorded;
a new person with an email address gets an account with no password and an invitation whose
link works once and expires."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from coreflect.audit.models import AuditEvent
from coreflect.people.models import Person, Role
from coreflect.signin.invitations import open_accounts
from coreflect.testing import PASSWORD, body_of

NEW_PASSWORD = "a brand new long passphrase"


def link_in(message) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", body_of(message))
    assert found, body_of(message)
    return found.group(1)


def choose_password(client, link: str, password: str = NEW_PASSWORD):
    """Open an emailed link and choose a password on the page it leads to."""
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    return client.post(form_url, {"password1": password, "password2": password}), page


def signs_in(client, login: str, password: str) -> bool:
    response = client.post("/accounts/login/", {"login": login, "password": password})
    ok = response.status_code == 302 and "_auth_user_id" in client.session
    client.logout()
    return ok


def test_a_reset_emails_a_link_that_works_once(client, alice, smtp):
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.nhs.uk"})
    assert response.status_code == 302
    (message,) = smtp.to("alice@example.nhs.uk")
    assert message["Subject"].startswith("Coreflect: ")
    link = link_in(message)

    done, _ = choose_password(client, link)
    assert done.status_code == 302
    assert signs_in(client, "alice", NEW_PASSWORD)
    assert not signs_in(client, "alice", PASSWORD)
    assert AuditEvent.objects.filter(action="auth.password_reset", actor=alice.user).exists()

    again, page = choose_password(client, link, "yet another long passphrase")
    assert "The password reset link was invalid" in page.content.decode()
    assert signs_in(client, "alice", NEW_PASSWORD)


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, alice, smtp):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.nhs.uk"})
    assert response.status_code == 302
    assert smtp.messages == []


def test_resets_are_limited_to_three_an_hour_per_account(client, alice, smtp, frozen_clock):
    for n in range(4):
        client.post(
            reverse("account_reset_password"),
            {"email": "alice@example.nhs.uk"},
            REMOTE_ADDR=f"192.0.2.{n}",
        )
    assert len(smtp.to("alice@example.nhs.uk")) == 3
    frozen_clock.shift(dt.timedelta(hours=1, minutes=1))
    client.post(reverse("account_reset_password"), {"email": "alice@example.nhs.uk"})
    assert len(smtp.to("alice@example.nhs.uk")) == 4


def test_changing_a_password_is_recorded_and_notified(client, alice, smtp):
    client.post("/accounts/login/", {"login": "alice", "password": PASSWORD})
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.password_change", actor=alice.user).exists()
    assert any("password" in m["Subject"].lower() for m in smtp.to("alice@example.nhs.uk"))
    client.logout()
    assert signs_in(client, "alice", NEW_PASSWORD)


@pytest.fixture
def newcomer(north):
    return Person.objects.create(
        external_id="N1", name="Nia New", email="nia.new@example.nhs.uk", role=Role.PEER_WORKER
    )


@pytest.fixture
def invite(django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    def send(people, by=None):
        with django_capture_on_commit_callbacks(execute=True):
            return open_accounts(people, by=by)

    return send


def test_a_new_person_gets_an_account_with_no_password_and_an_invitation(
    client, newcomer, smtp, invite, ada
):
    (user,) = invite([newcomer], by=ada.user)
    newcomer.refresh_from_db()
    assert newcomer.user == user and user.email == "nia.new@example.nhs.uk"
    assert not user.has_usable_password()
    (message,) = smtp.to("nia.new@example.nhs.uk")
    assert "Nia New" in body_of(message) and "72 hours" in body_of(message)
    assert AuditEvent.objects.filter(action="account.invite", object_id=str(user.pk)).exists()
    assert AuditEvent.objects.get(action="account.open").actor == ada.user

    done, _ = choose_password(client, link_in(message))
    assert done.status_code == 302
    assert signs_in(client, "nia.new@example.nhs.uk", NEW_PASSWORD)
    # The link is spent.
    _, page = choose_password(client, link_in(message), "another long passphrase here")
    assert "The password reset link was invalid" in page.content.decode()


def test_an_invitation_expires(client, newcomer, smtp, invite, frozen_clock):
    invite([newcomer])
    (message,) = smtp.to("nia.new@example.nhs.uk")
    frozen_clock.shift(dt.timedelta(hours=72, minutes=1))
    done, page = choose_password(client, link_in(message))
    assert "The password reset link was invalid" in page.content.decode()
    assert not User.objects.get(username="n1").has_usable_password()


def test_people_with_an_account_or_no_email_get_none(alice, newcomer, smtp, invite):
    newcomer.email = ""
    newcomer.save()
    assert invite([alice, newcomer]) == []
    assert smtp.messages == []
