import datetime as dt

import pytest
from django.core.management import call_command

from coreflect.compliance import matrix, rules
from coreflect.compliance.models import PolicySettings
from coreflect.demo import build
from coreflect.people.models import Person, Role
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "sessions": Session.objects.count(),
        "attendance": Attendance.objects.count(),
        "attended": Attendance.objects.filter(status="attended").count(),
        "relationships": SupervisionRelationship.objects.count(),
    }


@pytest.mark.parametrize("today", ["2026-11-23", "2026-05-10", "2027-02-15"])
def test_demo_shows_every_status_that_the_date_allows(today, capsys):
    call_command("demo-data", "--today", today)
    day = dt.date.fromisoformat(today)
    shown = build.statuses_shown(day)
    assert shown >= build.statuses_possible(day)
    assert "Built the demo organisation" in capsys.readouterr().out


def test_demo_mid_year_shows_all_six_statuses():
    call_command("demo-data", "--today", "2026-11-23")
    assert build.statuses_shown(dt.date(2026, 11, 23)) == {s.value for s in rules.Status}


def test_demo_has_every_role_and_about_sixty_people():
    call_command("demo-data", "--today", "2026-11-23")
    assert {p.role for p in Person.objects.all()} == set(Role.values)
    assert 55 <= Person.objects.count() <= 70
    assert Session.objects.filter(cancelled_at__isnull=False).exists()
    assert Session.objects.filter(date__gt=dt.date(2026, 11, 23)).exists()
    assert Session.objects.earliest("date").date <= dt.date(2025, 9, 30)


def test_running_the_demo_twice_gives_the_same_organisation():
    call_command("demo-data", "--today", "2026-11-23")
    first = counts()
    call_command("demo-data", "--today", "2026-11-23")
    assert counts() == first


def test_exactly_one_peer_worker_has_no_supervisor_and_is_flagged():
    call_command("demo-data", "--today", "2026-11-23")
    policy = PolicySettings.objects.current().values()
    rows = matrix.build(
        Person.objects.all(), start_year=2026, as_of=dt.date(2026, 11, 23), policy=policy
    )
    unsupervised = [row for row in rows if row.supervisor is None]
    assert len(unsupervised) == 1


def test_printed_sign_ins_work_for_every_role(client, capsys):
    call_command("demo-data", "--today", "2026-11-23")
    lines = capsys.readouterr().out.splitlines()
    sign_ins = [line.split() for line in lines if line.startswith("  ")]
    assert {fields[0] for fields in sign_ins} == set(Role.values)
    for fields in sign_ins:
        assert client.login(username=fields[1], password=build.PASSWORD), fields


def test_example_peer_worker_has_a_red_cell_to_explain():
    org = build.build(dt.date(2026, 11, 23))
    policy = PolicySettings.objects.current().values()
    example = org.examples["peer_worker"]
    [row] = matrix.build(
        Person.objects.filter(pk=example.pk),
        start_year=2026,
        as_of=dt.date(2026, 11, 23),
        policy=policy,
    )
    assert {p.status for p in row.periods} & {rules.Status.NOT_MET, rules.Status.AT_RISK}
