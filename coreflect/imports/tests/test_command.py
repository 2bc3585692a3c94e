"""`coreflect import DIR`: all or nothing, every problem on stderr, idempotent."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command, load_command_class
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coreflect.audit.models import AuditEvent
from coreflect.imports.tests.samples import GOOD, varied, write
from coreflect.people.models import (
    Absence,
    EmploymentPeriod,
    Locality,
    Person,
    Placement,
    Service,
)
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship

pytestmark = pytest.mark.django_db

SUMMARY = [
    "people.csv: 4 rows (4 created, 0 updated, 0 unchanged)",
    "employment.csv: 3 rows (3 created, 0 updated, 0 unchanged)",
    "supervision.csv: 2 rows (2 created, 0 updated, 0 unchanged)",
    "absences.csv: 1 rows (1 created, 0 updated, 0 unchanged)",
    "sessions.csv: 2 rows (2 created, 0 updated, 0 unchanged)",
    "attendance.csv: 2 rows (2 created, 0 updated, 0 unchanged)",
]


def snapshot() -> dict[str, list[tuple]]:
    """Every value of every table an import writes."""
    models = [
        Service,
        Locality,
        Person,
        Placement,
        EmploymentPeriod,
        Absence,
        SupervisionRelationship,
        Session,
        Attendance,
    ]
    return {
        model.__name__: sorted(model._default_manager.order_by().values_list(), key=repr)
        for model in models
    }


def run(folder, capsys) -> list[str]:
    call_command("import", str(folder))
    return capsys.readouterr().out.splitlines()


def test_a_good_folder_is_imported_with_a_summary_per_file(tmp_path, capsys):
    assert run(write(tmp_path, GOOD), capsys) == SUMMARY
    jo = Person.objects.get(external_id="P01")
    assert (jo.name, jo.email, jo.role) == ("Jo Bell", "jo.bell@example.nhs.uk", "peer_worker")
    assert jo.line_manager.external_id == "M01"
    assert (jo.service.name, jo.locality.name, jo.locality.service) == (
        "Adult",
        "Durham",
        jo.service,
    )
    gina = Person.objects.get(external_id="G01")
    assert (gina.service, gina.locality, gina.email) == (None, None, "")
    assert Service.objects.count() == 1 and Locality.objects.count() == 1
    peer_work = SupervisionRelationship.objects.get(type="peer_work")
    assert (peer_work.supervisee, peer_work.supervisor.external_id) == (jo, "P02")
    assert peer_work.supervisor_is_peer and peer_work.end_date is None
    assert not SupervisionRelationship.objects.get(type="line_management").supervisor_is_peer
    assert list(
        EmploymentPeriod.objects.filter(person__external_id="P02").values_list(
            "start_date", "end_date"
        )
    ) == [(dt.date(2020, 1, 1), dt.date(2024, 12, 31)), (dt.date(2025, 2, 1), None)]
    absence = Absence.objects.get()
    assert (absence.type, absence.end_date) == ("sickness", dt.date(2025, 9, 15))
    session = Session.objects.get(external_id="S1")
    assert (session.kind, session.date, session.start_time, session.duration_minutes) == (
        "one_to_one",
        dt.date(2025, 6, 2),
        dt.time(10, 0),
        60,
    )
    assert (session.lead.external_id, session.modality, session.location) == (
        "P02",
        "in_person",
        "Room 1",
    )
    assert Attendance.objects.get(session__external_id="S2", person=jo).status == "apologies"
    [placement] = Placement.objects.filter(person=jo)
    assert (placement.role, placement.locality.name, placement.start_date) == (
        "peer_worker",
        "Durham",
        timezone.localdate(),
    )
    assert placement.end_date is None


def test_the_import_is_audited_once_with_the_counts(tmp_path, capsys):
    run(write(tmp_path, GOOD), capsys)
    [event] = AuditEvent.objects.filter(action="import")
    assert event.detail["files"]["attendance.csv"] == {"created": 2, "updated": 0, "unchanged": 0}


def test_reimporting_the_same_files_changes_nothing(tmp_path, capsys):
    folder = write(tmp_path, GOOD)
    run(folder, capsys)
    before = snapshot()
    out = run(folder, capsys)
    assert snapshot() == before
    assert out == [
        "people.csv: 4 rows (0 created, 0 updated, 4 unchanged)",
        "employment.csv: 3 rows (0 created, 0 updated, 3 unchanged)",
        "supervision.csv: 2 rows (0 created, 0 updated, 2 unchanged)",
        "absences.csv: 1 rows (0 created, 0 updated, 1 unchanged)",
        "sessions.csv: 2 rows (0 created, 0 updated, 2 unchanged)",
        "attendance.csv: 2 rows (0 created, 0 updated, 2 unchanged)",
    ]


def test_changed_rows_are_updated_and_counted_honestly(tmp_path, capsys):
    run(write(tmp_path, GOOD), capsys)
    changed = varied(
        people=("Sam Shaw,sam@", "Sam Shaw-Smith,sam@"),
        employment=("P01,2025-05-15,", "P01,2025-05-15,2026-01-31"),
        sessions=("10:00,60,P02,in_person,Room 1", "11:00,90,P02,in_person,Room 2"),
        attendance=("S2,P01,apologies", "S2,P01,attended"),
    )
    changed["attendance.csv"] += "S1,P02,attended\n"
    out = run(write(tmp_path / "2", changed), capsys)
    assert out == [
        "people.csv: 4 rows (0 created, 1 updated, 3 unchanged)",
        "employment.csv: 3 rows (0 created, 1 updated, 2 unchanged)",
        "supervision.csv: 2 rows (0 created, 0 updated, 2 unchanged)",
        "absences.csv: 1 rows (0 created, 0 updated, 1 unchanged)",
        "sessions.csv: 2 rows (0 created, 1 updated, 1 unchanged)",
        "attendance.csv: 3 rows (1 created, 1 updated, 1 unchanged)",
    ]
    assert Person.objects.get(external_id="P02").name == "Sam Shaw-Smith"
    session = Session.objects.get(external_id="S1")
    assert (session.start_time, session.duration_minutes, session.location) == (
        dt.time(11, 0),
        90,
        "Room 2",
    )
    assert session.version == 2  # anyone editing it meanwhile is told it changed
    assert Attendance.objects.get(session__external_id="S2").status == "attended"


def test_a_new_line_manager_counts_as_an_update(tmp_path, capsys):
    run(write(tmp_path, GOOD), capsys)
    out = run(write(tmp_path / "2", varied(people=("Durham,M01\nP02", "Durham,P02\nP02"))), capsys)
    assert out[0] == "people.csv: 4 rows (0 created, 1 updated, 3 unchanged)"
    assert Person.objects.get(external_id="P01").line_manager.external_id == "P02"


def test_a_move_closes_the_open_placement_today_and_opens_a_new_one(tmp_path, capsys):
    run(write(tmp_path, GOOD), capsys)
    today = timezone.localdate()
    Placement.objects.filter(person__external_id="P01").update(start_date=dt.date(2025, 5, 15))
    moved = varied(
        people=(
            "P01,Jo Bell,jo.bell@example.nhs.uk,peer_worker,Adult,Durham",
            "P01,Jo Bell,jo.bell@example.nhs.uk,peer_lead,Adult,Darlington",
        )
    )
    out = run(write(tmp_path / "2", moved), capsys)
    assert out[0] == "people.csv: 4 rows (0 created, 1 updated, 3 unchanged)"
    history = list(
        Placement.objects.filter(person__external_id="P01")
        .order_by("start_date")
        .values_list("role", "locality__name", "start_date", "end_date")
    )
    assert history == [
        ("peer_worker", "Durham", dt.date(2025, 5, 15), today),
        ("peer_lead", "Darlington", today, None),
    ]
    assert Locality.objects.get(name="Darlington").service.name == "Adult"


def test_a_second_move_on_the_same_day_corrects_todays_placement(tmp_path, capsys):
    run(write(tmp_path, GOOD), capsys)
    moved = varied(people=("peer_worker,Adult,Durham", "peer_lead,Adult,Durham"))
    run(write(tmp_path / "2", moved), capsys)
    [placement] = Placement.objects.filter(person__external_id="P01")
    assert (placement.role, placement.end_date) == ("peer_lead", None)


def test_supervisor_is_peer_follows_the_supervisors_role(tmp_path, capsys):
    run(write(tmp_path, GOOD), capsys)
    assert SupervisionRelationship.objects.get(type="peer_work").supervisor_is_peer
    not_peer = varied(
        people=(
            "P02,Sam Shaw,sam@example.nhs.uk,senior_peer_worker",
            "P02,Sam Shaw,sam@example.nhs.uk,line_manager",
        )
    )
    out = run(write(tmp_path / "2", not_peer), capsys)
    assert out[2] == "supervision.csv: 2 rows (0 created, 1 updated, 1 unchanged)"
    assert not SupervisionRelationship.objects.get(type="peer_work").supervisor_is_peer


def test_a_bad_folder_prints_every_problem_exits_1_and_writes_nothing(tmp_path, capsys):
    run(write(tmp_path / "first", GOOD), capsys)
    before = snapshot()
    events = AuditEvent.objects.count()
    bad = varied(
        people=("peer_worker,Adult", "peer wrker,Adult"),
        employment=("P01,2025-05-15,", "P01,2025-05-15,2025-01-01"),
        sessions=("10:00,60,P02", "10:00,sixty,P02"),
        attendance=("S1,P01,attended", "S1,P77,attended"),
    )
    bad["people.csv"] += "P05,New Person,new@example.nhs.uk,peer_worker,Adult,Durham,\n"
    with pytest.raises(CommandError) as raised:
        call_command("import", str(write(tmp_path / "bad", bad)))
    assert raised.value.returncode == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f'people.csv:2: role "peer wrker" is not one of: {ROLES}',
        "employment.csv:2: end_date 2025-01-01 is before start_date 2025-05-15",
        'sessions.csv:2: duration_minutes "sixty" is not a whole number above 0',
        'attendance.csv:2: person_id "P77" is not a known person '
        "(not in people.csv nor imported before)",
    ]
    assert "Nothing was imported." in captured.out
    assert snapshot() == before
    assert AuditEvent.objects.count() == events
    assert not Person.objects.filter(external_id="P05").exists()


ROLES = (
    "head_of_peer_work, peer_lead, peer_coordinator, senior_peer_worker, peer_practitioner, "
    "peer_worker, peer_support_worker, line_manager, executive_director, governance, admin"
)


def test_on_the_command_line_a_bad_folder_exits_with_status_1_and_only_errors_on_stderr(
    tmp_path, capsys
):
    folder = write(tmp_path, varied(absences=("sickness", "flu")))
    command = load_command_class("coreflect.imports", "import")
    # What run_from_argv() sets; it is not called because it closes the database connection.
    command._called_from_command_line = True
    with pytest.raises(SystemExit) as exited:
        call_command(command, str(folder))
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        'absences.csv:2: type "flu" is not one of: sickness, annual_leave, parental, other\n'
    )
    assert not Person.objects.exists()


def test_absent_files_are_fine(tmp_path, capsys):
    out = run(write(tmp_path / "a", {"people.csv": GOOD["people.csv"]}), capsys)
    assert out == ["people.csv: 4 rows (4 created, 0 updated, 0 unchanged)"]
    out = run(write(tmp_path / "b", {"attendance.csv": "session_id,person_id,status\n"}), capsys)
    assert out == ["attendance.csv: 0 rows (0 created, 0 updated, 0 unchanged)"]
    out = run(write(tmp_path / "c", {"employment.csv": GOOD["employment.csv"]}), capsys)
    assert out == ["employment.csv: 3 rows (3 created, 0 updated, 0 unchanged)"]


def test_a_folder_without_import_files_imports_nothing(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    assert run(tmp_path, capsys) == [
        f"{tmp_path} holds none of the import files: nothing to import."
    ]


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import", str(tmp_path / "nowhere"))


def test_rows_may_refer_to_what_an_earlier_import_stored(tmp_path, capsys):
    run(write(tmp_path / "a", GOOD), capsys)
    later = {
        "sessions.csv": GOOD["sessions.csv"].splitlines()[0]
        + "\nS3,one_to_one,2025-07-01,10:00,60,P02,phone,\n",
        "attendance.csv": "session_id,person_id,status\nS3,P01,attended\nS1,P02,attended\n",
    }
    out = run(write(tmp_path / "b", later), capsys)
    assert out[-1] == "attendance.csv: 2 rows (2 created, 0 updated, 0 unchanged)"


def test_an_overlap_with_stored_peer_work_supervision_is_refused(tmp_path, capsys):
    run(write(tmp_path / "a", GOOD), capsys)
    second = {
        "supervision.csv": "supervisee_id,supervisor_id,type,start_date,end_date\n"
        "P01,M01,peer_work,2025-09-01,\n"
    }
    with pytest.raises(CommandError):
        call_command("import", str(write(tmp_path / "b", second)))
    assert capsys.readouterr().err.startswith(
        "supervision.csv:2: P01 would have two peer work supervisors at once"
    )


def test_a_file_with_a_byte_order_mark_is_read(tmp_path, capsys):
    out = run(write(tmp_path, {"people.csv": GOOD["people.csv"]}, encoding="utf-8-sig"), capsys)
    assert out == ["people.csv: 4 rows (4 created, 0 updated, 0 unchanged)"]


def test_a_file_that_is_not_utf8_is_reported_at_its_line(tmp_path, capsys):
    text = GOOD["people.csv"].replace("Jo Bell", "Zoë Bell")
    write(tmp_path, {"people.csv": text}, encoding="latin-1")
    with pytest.raises(CommandError):
        call_command("import", str(tmp_path))
    assert capsys.readouterr().err == (
        'people.csv:2: is not UTF-8 text (save the file as "CSV UTF-8")\n'
    )


def test_progress_is_reported_while_validating_then_writing(tmp_path):
    from coreflect.imports import actions

    calls: list[tuple[str, int, int]] = []
    result = actions.import_folder(
        by=None,
        folder=write(tmp_path, GOOD),
        progress=lambda *args: calls.append(args),
    )
    assert result.ok
    assert calls[0] == ("validating", 0, 14)
    assert calls[-1] == ("writing", 14, 14)


def test_the_number_of_queries_does_not_grow_with_the_rows(tmp_path, capsys):
    def queries(files, folder):
        with CaptureQueriesContext(connection) as captured:
            run(write(folder, files), capsys)
        return len(captured)

    small = queries(GOOD, tmp_path / "small")
    for model in (Session, Person, Locality, Service):  # back to an empty database
        model.objects.all().delete()
    more = dict(GOOD)
    more["sessions.csv"] += "".join(
        f"X{n},one_to_one,2025-07-01,10:00,60,P02,video,\n" for n in range(300)
    )
    more["attendance.csv"] += "".join(f"X{n},P01,attended\nX{n},M01,invited\n" for n in range(300))
    more["absences.csv"] += "".join(
        f"P01,annual_leave,2024-{m:02d}-{d:02d},2024-{m:02d}-{d:02d}\n"
        for m in range(1, 13)
        for d in range(1, 25)
    )
    assert queries(more, tmp_path / "more") == small
