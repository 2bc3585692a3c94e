"""The Django admin opens for superusers only (not for staff, not for the administrator role),
and every addition, change and deletion through it is on the audit log."""

import pytest
from django.contrib.auth.models import Group, User

from coreflect.audit.models import AuditEvent


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.nhs.uk", "a long root password")


def test_the_administrator_role_and_staff_do_not_get_in(client, ada):
    ada.user.is_staff = True
    ada.user.save()
    client.force_login(ada.user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert client.get("/admin/auth/user/").status_code == 302


def test_a_superuser_gets_in(client, root):
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200


def test_changes_through_the_admin_are_audited(client, root, alice):
    client.force_login(root)
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
