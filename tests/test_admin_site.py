"""The Django admin opens for superusers who used a second factor in this sign-in only (not for
staff, not for the administrator role), has no sign-in page of its own, and every addition,
change and deletion through it is on the audit log."""

import time

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, User

from coreflect.audit.models import AuditEvent
from coreflect.signin.state import SECOND_FACTOR_AT


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.nhs.uk", "a long root password")


def with_second_factor(client):
    session = client.session
    session[SECOND_FACTOR_AT] = time.time()
    session.save()
    return client


def test_the_administrator_role_and_staff_do_not_get_in(client, ada):
    ada.user.is_staff = True
    ada.user.save()
    client.force_login(ada.user)
    with_second_factor(client)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert client.get("/admin/auth/user/").status_code == 302
    assert client.get(response.url).status_code == 404


def test_a_superuser_without_a_second_factor_is_sent_to_prove_one(client, root):
    client.force_login(root)
    assert client.get("/admin/auth/user/").status_code == 302
    assert client.get("/admin/login/?next=/admin/").url == "/accounts/2fa/"
    Authenticator.objects.create(user=root, type=Authenticator.Type.TOTP, data={})
    assert client.get("/admin/login/?next=/admin/").url == (
        "/accounts/2fa/reauthenticate/?next=%2Fadmin%2F"
    )


def test_the_admin_has_no_sign_in_form_of_its_own(client, root):
    response = client.get("/admin/login/?next=/admin/auth/user/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/admin/auth/user/"
    posted = client.post("/admin/login/", {"username": "root", "password": "a long root password"})
    assert posted.status_code == 302 and "_auth_user_id" not in client.session


def test_a_superuser_gets_in(client, root):
    client.force_login(root)
    with_second_factor(client)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200


def test_changes_through_the_admin_are_audited(client, root, alice):
    client.force_login(root)
    with_second_factor(client)
    added = client.post("/admin/auth/group/add/", {"name": "Reviewers"})
    assert added.status_code == 302
    group = Group.objects.get(name="Reviewers")
    changed = client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "Auditors"})
    assert changed.status_code == 302
    deleted = client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    entries = AuditEvent.objects.filter(action__startswith="admin.").order_by("pk")
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [
        ("admin.add", "auth.group", str(group.pk)),
        ("admin.change", "auth.group", str(group.pk)),
        ("admin.delete", "auth.group", str(group.pk)),
    ]
    assert all(e.actor == root for e in entries)
    assert entries[2].detail == {"name": "Auditors"}


def test_every_model_on_the_admin_site_audits_its_changes():
    from django.contrib import admin

    from coreflect.admin_site import Audited

    registered = admin.site._registry
    assert Authenticator in registered  # allauth's, among others
    assert all(isinstance(model_admin, Audited) for model_admin in registered.values())
