import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from coreflect.compliance import rules
from coreflect.demo import build
from coreflect.notes import register as notes_register
from coreflect.notes.models import (
    Action,
    ActionState,
    AgendaItem,
    CaseloadEntry,
    ModelRequest,
    Notes,
    NotesEvent,
    NotesState,
    NotesVersion,
    RequestState,
    Topic,
    VersionKind,
)
from coreflect.people.models import Absence, AbsenceType, EmploymentPeriod, Person, Role
from coreflect.policy.models import PolicySettings
from coreflect.supervision.models import (
    Attendance,
    AttendanceStatus,
    Session,
    SessionKind,
    SupervisionRelationship,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def demo(today: dt.date = TODAY) -> str:
    """Run the command as `make demo` does and return what it printed."""
    out = StringIO()
    call_command("demo-data", "--today", today.isoformat(), stdout=out)
    return out.getvalue()


def sign_ins(output: str) -> dict[str, str]:
    """role → username, from the printed list of demo logins."""
    lines = output.split("Demo logins")[1].splitlines()[1:]
    return {line.split()[0]: line.split()[1] for line in lines if line.startswith("  ")}


def snapshot() -> dict[str, object]:
    return {
        "people": list(Person.objects.order_by("pk").values_list("pk", "external_id", "name")),
        "users": list(User.objects.order_by("pk").values_list("pk", "username")),
        "sessions": list(
            Session.objects.order_by("pk").values_list("pk", "external_id", "date", "lead_id")
        ),
        "attendance": list(
            Attendance.objects.order_by("pk").values_list("pk", "session_id", "person_id", "status")
        ),
        "relationships": list(
            SupervisionRelationship.objects.order_by("pk").values_list(
                "supervisee_id", "supervisor_id", "type", "start_date", "end_date"
            )
        ),
        "notes": list(
            NotesEvent.objects.order_by("pk").values_list("notes__session_id", "state", "on")
        ),
        "employment": EmploymentPeriod.objects.count(),
        "absences": Absence.objects.count(),
    }


@pytest.mark.parametrize("today", ["2026-11-23", "2026-05-10", "2027-02-15"])
def test_the_matrix_page_of_the_demo_shows_every_status_the_date_allows(
    client, frozen_clock, today
):
    """What a visitor sees, not what the builder counted: the head of peer work signs in with
    the printed login and finds each status, in words, on the matrix's pages."""
    day = dt.date.fromisoformat(today)
    frozen_clock.move_to(
        dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    )
    output = demo(day)
    assert "Built the demo organisation" in output
    assert client.login(username=sign_ins(output)[Role.HEAD_OF_PEER_WORK], password=build.PASSWORD)
    first = client.get("/matrix/")
    pages = [first] + [
        client.get(f"/matrix/?page={n}")
        for n in range(2, first.context["page"].paginator.num_pages + 1)
    ]
    text = " ".join(page.content.decode() for page in pages)
    labels = {rules.Status(status).label for status in build.statuses_possible(day)}
    assert labels and {label for label in labels if f">{label}<" not in text} == set()


def test_demo_in_the_middle_of_the_year_shows_all_six_statuses():
    demo()
    assert build.statuses_shown(TODAY) == {s.value for s in rules.Status}


def test_demo_early_in_the_year_shows_everything_but_not_met():
    # Nothing of the current year has ended in its first quarter, so nothing can be not met.
    demo(dt.date(2026, 5, 10))
    assert build.statuses_shown(dt.date(2026, 5, 10)) == {
        s.value for s in rules.Status if s != rules.Status.NOT_MET
    }


def test_demo_has_every_role_and_about_sixty_people():
    demo()
    assert {p.role for p in Person.objects.all()} == set(Role.values)
    assert 55 <= Person.objects.count() <= 70
    assert Person.objects.filter(role=Role.HEAD_OF_PEER_WORK).count() == 1
    assert Person.objects.filter(role=Role.PEER_LEAD).count() == 3
    assert Person.objects.filter(user__isnull=True).count() == 0
    assert not Person.objects.exclude(email__endswith="@example.nhs.uk").exists()


def test_demo_covers_fifteen_months_ending_a_few_weeks_ahead():
    demo()
    dates = Session.objects.order_by("date").values_list("date", flat=True)
    assert dates.first() <= dt.date(2025, 9, 30)
    assert TODAY + dt.timedelta(days=21) <= dates.last() <= TODAY + dt.timedelta(days=60)
    future = Attendance.objects.filter(session__date__gt=TODAY, session__cancelled_at=None)
    assert set(future.values_list("status", flat=True)) >= {"invited", "tentative"}


def test_demo_sessions_take_their_lengths_from_the_policy():
    demo()
    policy = PolicySettings.objects.current()
    one_to_ones = Session.objects.filter(kind=SessionKind.ONE_TO_ONE)
    groups = Session.objects.filter(kind=SessionKind.CO_REFLECTION)
    assert set(one_to_ones.values_list("duration_minutes", flat=True)) == {
        policy.one_to_one_minutes
    }
    assert set(groups.values_list("duration_minutes", flat=True)) == {policy.co_reflection_minutes}


def test_demo_co_reflections_fall_on_the_last_wednesday_but_for_make_up_sessions():
    demo()
    days = set(
        Session.objects.filter(kind=SessionKind.CO_REFLECTION).values_list("date", flat=True)
    )
    odd = {d for d in days if d != build.last_wednesday(d.year, d.month)}
    assert len(odd) <= 1 and all(d > TODAY for d in odd)


def test_demo_cancellations_carry_a_reason_an_alternative_and_the_register():
    demo()
    cancelled = Session.objects.filter(cancelled_at__isnull=False)
    assert cancelled.count() >= 10
    assert not cancelled.filter(cancellation_reason="").exists()
    assert not cancelled.filter(alternative_offered="").exists()
    assert not cancelled.filter(cancelled_by=None).exists()
    statuses = set(
        Attendance.objects.filter(session__in=cancelled).values_list("status", flat=True)
    )
    assert statuses == {"cancelled_by_supervisee", "cancelled_by_supervisor"}
    assert not Attendance.objects.filter(
        session__cancelled_at=None, status__startswith="cancelled"
    ).exists()


def test_demo_uses_every_attendance_status():
    demo()
    assert set(Attendance.objects.values_list("status", flat=True)) == set(AttendanceStatus.values)


def test_demo_has_starters_leavers_a_rejoiner_and_absences():
    demo()
    assert EmploymentPeriod.objects.filter(end_date__isnull=False).exists()
    assert EmploymentPeriod.objects.filter(start_date__gt=dt.date(2026, 4, 1)).exists()
    periods = EmploymentPeriod.objects.values_list("person", flat=True)
    assert any(list(periods).count(p) == 2 for p in set(periods))
    sickness = [
        (a.end_date - a.start_date).days + 1
        for a in Absence.objects.filter(type=AbsenceType.SICKNESS)
    ]
    assert max(sickness) >= PolicySettings.objects.current().long_term_sickness_days > min(sickness)
    assert Absence.objects.filter(type=AbsenceType.ANNUAL_LEAVE).exists()


def test_demo_has_line_management_clinical_and_non_peer_supervision():
    demo()
    relationships = SupervisionRelationship.objects.all()
    assert set(relationships.values_list("type", flat=True)) == {
        "peer_work",
        "line_management",
        "clinical",
    }
    assert relationships.filter(type="peer_work", supervisor_is_peer=False).count() >= 2


def test_every_peer_worker_but_one_has_exactly_one_current_supervisor():
    demo()
    rows = build.rows(TODAY)
    assert len([row for row in rows if row.supervisor is None]) == 1
    current = SupervisionRelationship.objects.current(TODAY).peer_work()
    for row in rows:
        assert current.filter(supervisee_id=row.person.pk).count() == (row.supervisor is not None)


def test_demo_has_notes_in_every_state_overdue_ones_and_what_goes_with_them():
    output = demo()
    assert "Notes of held one-to-ones:" in output
    assert set(Notes.objects.values_list("state", flat=True)) == set(NotesState.values) - {
        NotesState.NOT_WRITTEN
    }
    assert build.notes_overdue(TODAY)
    held = notes_register.held_one_to_ones(TODAY)
    assert held.filter(notes__isnull=True).exists()  # some not written yet
    assert Action.objects.filter(state=ActionState.OPEN).exists()
    assert Action.objects.filter(state=ActionState.DONE).exists()
    assert NotesVersion.objects.filter(kind=VersionKind.PROPOSED).exists()
    assert CaseloadEntry.objects.filter(archived_on__isnull=False).exists()
    assert Topic.objects.filter(session__date__gt=TODAY).exists()
    assert ModelRequest.objects.filter(state=RequestState.REQUESTED).exists()
    assert ModelRequest.objects.filter(state=RequestState.AGREED).exists()
    assert AgendaItem.objects.filter(session__date__gt=TODAY).exists()


def test_running_the_demo_twice_gives_the_same_database():
    demo()
    first = snapshot()
    demo()
    assert snapshot() == first


def test_the_demo_keeps_superusers_and_replaces_everyone_else():
    User.objects.create_superuser("root", "root@example.nhs.uk", "not-the-demo-password")
    User.objects.create_user("stranger")
    # A sign-in the demo did not make is only replaced when forced (test_guard.py).
    call_command("demo-data", "--today", TODAY.isoformat(), "--force", stdout=StringIO())
    assert User.objects.filter(username="root", is_superuser=True).exists()
    assert not User.objects.filter(username="stranger").exists()


def test_printed_demo_logins_work_for_every_role(client):
    output = demo()
    assert f"Demo logins (password: {build.PASSWORD})" in output
    logins = sign_ins(output)
    assert list(logins) == list(Role.values)
    for role, username in logins.items():
        user = User.objects.get(username=username)
        assert user.person.role == role
        assert client.login(username=username, password=build.PASSWORD), role


def test_printed_supervisors_and_managers_have_people_to_show():
    output = demo()
    logins = sign_ins(output)
    for role in build.SUPERVISING:
        person = Person.objects.get(user__username=logins[role])
        assert build.supervisees(person, TODAY), role
    for role in build.MANAGING:
        assert Person.objects.get(user__username=logins[role]).reports.exists(), role
    assert "(supervised by " in next(
        line for line in output.splitlines() if line.strip().startswith("peer_worker")
    )


@pytest.mark.parametrize("today", ["2026-11-23", "2026-05-10", "2027-02-15"])
def test_example_peer_worker_has_a_red_cell_to_explain(today):
    day = dt.date.fromisoformat(today)
    org = build.build(day)
    [row] = [r for r in build.rows(day) if r.person.pk == org.examples[Role.PEER_WORKER].pk]
    assert {p.status for p in row.periods} & build.RED


def test_demo_that_would_fall_short_fails_loudly_and_changes_nothing(monkeypatch):
    demo()
    before = snapshot()
    monkeypatch.setattr(build, "statuses_possible", lambda today: {"a_status_nobody_has"})
    with pytest.raises(CommandError, match="a_status_nobody_has"):
        demo(dt.date(2027, 2, 15))
    assert snapshot() == before


def test_on_a_quarters_last_day_on_track_is_not_expected():
    assert "on_track" not in build.statuses_possible(dt.date(2026, 12, 31))
    assert "not_met" not in build.statuses_possible(dt.date(2026, 6, 1))
    assert "not_started" not in build.statuses_possible(dt.date(2027, 1, 5))
    assert build.statuses_possible(TODAY) == {s.value for s in rules.Status}


def test_demo_has_concerns_at_several_steps_one_with_its_outcome():
    from coreflect.governance.models import Concern

    demo()
    concerns = list(Concern.objects.all())
    assert len({c.step for c in concerns}) >= 3
    assert any(c.outcome for c in concerns) and any(not c.outcome for c in concerns)
