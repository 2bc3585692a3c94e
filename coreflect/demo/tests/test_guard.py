"""`coreflect demo-data` cannot wipe a real organisation (coreflect/demo/guard.py)."""

import datetime as dt
import uuid
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError

from coreflect.demo import build
from coreflect.imports.models import ImportRun
from coreflect.people.models import Person, Role, Service
from coreflect.supervision.models import Session
from coreflect.testing import make_person

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def demo(*options: str) -> str:
    out = StringIO()
    call_command("demo-data", "--today", TODAY.isoformat(), *options, stdout=out)
    return out.getvalue()


def refused(match: str):
    return pytest.raises(CommandError, match=match)


def test_the_demo_builds_on_an_empty_database():
    assert "Built the demo organisation" in demo()


def test_the_demo_rebuilds_a_database_it_built_itself():
    demo()
    assert "Built the demo organisation" in demo()


def test_the_demo_rebuilds_after_a_superuser_was_added_as_superusers_are_kept():
    demo()
    User.objects.create_superuser("root", "root@example.nhs.uk", "not-the-demo-password")
    demo()
    assert User.objects.filter(username="root").exists()


def test_the_demo_refuses_a_database_it_never_built(alice):
    with refused(r"holds 3 people, 1 service and 3 sign-ins that coreflect demo-data did not"):
        demo()
    assert Person.objects.filter(external_id="ALICE").exists()


def test_the_demo_refuses_a_person_added_since_it_was_built():
    demo()
    make_person("REAL1", "Rae Real", Role.PEER_WORKER, login=False)
    with refused(r"holds 1 person that"):
        demo()
    assert Person.objects.filter(external_id="REAL1").exists()


def test_the_demo_refuses_a_session_recorded_since_it_was_built():
    demo()
    template = Session.objects.order_by("pk").first()
    template.pk = None
    template.external_id = None
    template.uid = uuid.uuid4()  # a session of its own, with its own calendar UID
    template.save()
    with refused(r"holds 1 session that"):
        demo()


def test_the_demo_refuses_a_service_added_since_it_was_built():
    demo()
    Service.objects.create(name="Perinatal")
    with refused(r"holds 1 service that"):
        demo()


def test_the_demo_refuses_a_database_that_has_seen_an_import():
    demo()
    ImportRun.objects.create()
    with refused(r"holds 1 import that"):
        demo()


def test_the_demo_refuses_a_sign_in_added_since_it_was_built():
    demo()
    User.objects.create_user("real.person")
    with refused(r"holds 1 sign-in that"):
        demo()
    assert User.objects.filter(username="real.person").exists()


def test_refusal_says_that_force_overrides_it(alice):
    with refused(r"Nothing was changed\. Run `coreflect demo-data --force`"):
        demo()


def test_the_demo_refuses_to_run_in_production_even_on_an_empty_database(settings):
    settings.PRODUCTION = True
    with refused(r"COREFLECT_ENV is production.*--force"):
        demo()
    assert not Person.objects.exists()


def test_force_replaces_records_the_demo_did_not_make(alice):
    demo("--force")
    assert not Person.objects.filter(external_id="ALICE").exists()
    assert Person.objects.filter(role=Role.HEAD_OF_PEER_WORK).count() == 1
    assert "Built the demo organisation" in demo()  # and the next build is its own again


def test_force_builds_the_demo_in_production(settings):
    settings.PRODUCTION = True
    assert "Built the demo organisation" in demo("--force")


def test_a_demo_that_falls_short_leaves_the_last_build_on_record(monkeypatch):
    demo()
    monkeypatch.setattr(build, "statuses_possible", lambda today: {"a_status_nobody_has"})
    with refused("a_status_nobody_has"):
        demo()
    monkeypatch.undo()
    assert "Built the demo organisation" in demo()


def test_the_demo_password_passes_the_password_rules_for_every_demo_sign_in():
    demo()
    users = User.objects.filter(person__isnull=False)
    assert users.count() >= 55
    for user in users:
        validate_password(build.PASSWORD, user=user)
