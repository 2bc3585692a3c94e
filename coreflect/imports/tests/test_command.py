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
from coreflect.testing import body_of

pytestmark = pytest.mark.django_db

SUMMARY = [
    "people.csv: 4 rows (4 created, 0 updated, 0 unchanged)",
    "employment.csv: 3 rows (3 created, 0 updated, 0 unchanged)",
    "supervision.csv: 2 rows (2 created, 0 updated, 0 unchanged)",
    "absences.csv: 1 rows (1 created, 0 updated, 0 unchanged)",
    "sessions.csv: 2 rows (2 created, 0 updated, 0 unchanged)",
    "attendance.csv: 2 rows (2 created, 0 updated, 0 unchanged)",
    # The three with an email address (coreflect/signin/invitations.py).
    "3 accounts opened, each invited by email",
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
    assert out == ["people.csv: 4 rows (4 created, 0 updated, 0 unchanged)", SUMMARY[-1]]
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
    assert out == ["people.csv: 4 rows (4 created, 0 updated, 0 unchanged)", SUMMARY[-1]]


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
        grant_privileged=True,  # as the command does: Gina is given governance
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


def refused(folder, capsys) -> list[str]:
    """The problems an import that must fail prints on stderr; nothing is written."""
    before = snapshot()
    with pytest.raises(CommandError) as raised:
        call_command("import", str(folder))
    assert raised.value.returncode == 1
    assert snapshot() == before
    return capsys.readouterr().err.splitlines()


# The checks added for issue 7, as the command reports them.


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_one_clear_problem(tmp_path, capsys, encoding):
    write(tmp_path, {"people.csv": GOOD["people.csv"]}, encoding=encoding)
    assert refused(tmp_path, capsys) == [
        'people.csv:1: the file is not UTF-8 (it looks like UTF-16); save it as "CSV UTF-8"'
    ]


def test_a_latin1_header_is_one_problem_not_also_an_empty_file(tmp_path, capsys):
    write(tmp_path, {"people.csv": "person_id,nâme\n"}, encoding="latin-1")
    assert refused(tmp_path, capsys) == [
        'people.csv:1: is not UTF-8 text (save the file as "CSV UTF-8")'
    ]


def test_a_nul_in_a_cell_is_a_problem_not_a_database_error(tmp_path, capsys):
    folder = write(tmp_path, varied(sessions=("Room 1", "Room\x001")))
    assert refused(folder, capsys) == [
        "sessions.csv:2: location contains a control character, U+0000 (NUL)"
    ]


def test_an_id_with_a_slash_is_refused(tmp_path, capsys):
    files = {"people.csv": GOOD["people.csv"].replace("G01,Gina", "G/01,Gina")}
    assert refused(write(tmp_path, files), capsys) == [
        'people.csv:5: person_id "G/01" may only contain letters (A–Z, a–z), digits, "-", "_" '
        'and "."'
    ]


def test_a_line_management_circle_with_people_imported_before_is_refused(tmp_path, capsys):
    run(write(tmp_path / "a", GOOD), capsys)  # P01 and P02 are line managed by M01
    later = {"people.csv": PEOPLE_HEADER + "M01,Lee Line,,line_manager,Adult,Durham,P02\n"}
    assert refused(write(tmp_path / "b", later), capsys) == [
        "people.csv:2: line management goes round in a circle: M01 → P02 (imported before) → M01"
    ]


PEOPLE_HEADER = "person_id,name,email,role,service,locality,line_manager_id\n"


def test_a_stored_supervisor_moved_to_governance_must_first_stop_supervising(tmp_path, capsys):
    run(write(tmp_path / "a", GOOD), capsys)  # P02 supervises P01 in peer work, no end
    later = {"people.csv": PEOPLE_HEADER + "P02,Sam Shaw,,governance,Adult,Durham,M01\n"}
    assert refused(write(tmp_path / "b", later), capsys) == [
        'people.csv:2: role governance: "P02" still supervises "P01" (peer_work from '
        "2025-05-15), and governance and administrator accounts supervise no one; end that "
        "supervision in supervision.csv (end_date) first"
    ]
    later["supervision.csv"] = (
        "supervisee_id,supervisor_id,type,start_date,end_date\nP01,P02,peer_work,2025-05-15,2025-10-31\n"
    )
    run(write(tmp_path / "c", later), capsys)
    assert Person.objects.get(external_id="P02").role == "governance"


@pytest.fixture
def cancelled_s1(tmp_path, capsys, ada):
    """GOOD imported, then S1 cancelled in Coreflect by the supervisor."""
    from coreflect.supervision import actions as supervision

    run(write(tmp_path / "first", GOOD), capsys)
    session = Session.objects.get(external_id="S1")
    supervision.cancel_session(
        by=ada.user,
        session=session,
        version=session.version,
        cancelled_by_side="supervisor",
        reason="Supervisor unwell",
    )
    return session


def test_attended_on_a_session_cancelled_in_coreflect_is_refused(tmp_path, capsys, cancelled_s1):
    assert refused(write(tmp_path / "again", GOOD), capsys) == [
        'attendance.csv:2: session "S1" is cancelled, so nobody attended it: its register '
        'keeps the cancellation status (cancelled_by_supervisor), not "attended"'
    ]
    assert Attendance.objects.get(session=cancelled_s1).status == "cancelled_by_supervisor"


def test_attended_stored_on_a_cancelled_session_by_an_older_import_does_not_make_it_allowed(
    tmp_path, capsys, cancelled_s1
):
    Attendance.objects.filter(session=cancelled_s1).update(status="attended")
    assert refused(write(tmp_path / "again", GOOD), capsys) == [
        'attendance.csv:2: session "S1" is cancelled, so nobody attended it: its register '
        "keeps the cancellation status (cancelled_by_supervisee or cancelled_by_supervisor), "
        'not "attended"'
    ]


def test_a_cancelled_session_restated_with_its_cancellation_is_unchanged(
    tmp_path, capsys, cancelled_s1
):
    files = varied(attendance=("S1,P01,attended", "S1,P01,cancelled_by_supervisor"))
    out = run(write(tmp_path / "again", files), capsys)
    assert out[-1] == "attendance.csv: 2 rows (0 created, 0 updated, 2 unchanged)"


def test_a_file_full_of_mistakes_prints_the_first_thousand_and_counts_the_rest(tmp_path, capsys):
    text = "session_id,person_id,status\n" + "".join(f"S1,P{n},attended\n" for n in range(1500))
    folder = write(tmp_path, {**GOOD, "attendance.csv": text})
    with pytest.raises(CommandError):
        call_command("import", str(folder))
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 1001
    assert err[999] == (
        'attendance.csv:1001: person_id "P999" is not a known person '
        "(not in people.csv nor imported before)"
    )
    assert err[-1] == "… and 500 more problems"
    assert captured.out == "1,500 problems found. Nothing was imported.\n"


def test_files_bigger_than_the_limit_together_are_refused_before_reading(
    tmp_path, capsys, settings
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    files = {**GOOD, "attendance.csv": GOOD["attendance.csv"] + "S1,P02,invited\n" * 80_000}
    with pytest.raises(CommandError) as raised:
        call_command("import", str(write(tmp_path, files)))
    assert str(raised.value).startswith("The files come to 1.1 MB; one import takes at most 1 MB.")
    assert "IMPORT_MAX_UPLOAD_BYTES" in str(raised.value)
    assert not Person.objects.exists()


def test_a_command_line_import_records_the_operating_system_user(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "cron-coreflect")
    run(write(tmp_path, GOOD), capsys)
    event = AuditEvent.objects.get(action="import")
    assert event.actor is None
    assert (event.detail["via"], event.detail["os_user"]) == ("command", "cron-coreflect")


def test_a_command_line_import_records_the_user_named_by_by(tmp_path, capsys, ada):
    call_command("import", str(write(tmp_path, GOOD)), "--by", "ada")
    event = AuditEvent.objects.get(action="import")
    assert event.actor == ada.user and event.detail["via"] == "command"


def test_by_must_name_a_coreflect_user(tmp_path):
    with pytest.raises(CommandError, match='There is no Coreflect user called "nobody"'):
        call_command("import", str(write(tmp_path, GOOD)), "--by", "nobody")
    assert not Person.objects.exists()


# An import moves each session it changes to its next version, so stale forms are refused.


def versions() -> dict[str, int]:
    return {
        str(sid): version for sid, version in Session.objects.values_list("external_id", "version")
    }


def test_new_and_unchanged_sessions_keep_their_version(tmp_path, capsys):
    run(write(tmp_path / "a", GOOD), capsys)
    assert versions() == {"S1": 1, "S2": 1}
    run(write(tmp_path / "b", GOOD), capsys)
    assert versions() == {"S1": 1, "S2": 1}


def test_a_changed_register_moves_its_session_to_the_next_version(tmp_path, capsys):
    run(write(tmp_path / "a", GOOD), capsys)
    changed = varied(attendance=("S2,P01,apologies", "S2,P01,attended"))
    run(write(tmp_path / "b", changed), capsys)
    assert versions() == {"S1": 1, "S2": 2}


def test_someone_added_to_a_register_moves_its_session_to_the_next_version(tmp_path, capsys):
    run(write(tmp_path / "a", GOOD), capsys)
    later = {"attendance.csv": "session_id,person_id,status\nS1,P02,invited\n"}
    run(write(tmp_path / "b", later), capsys)
    assert versions() == {"S1": 2, "S2": 1}


def test_a_session_changed_with_its_register_moves_on_one_version(tmp_path, capsys):
    run(write(tmp_path / "a", GOOD), capsys)
    changed = varied(
        sessions=("10:00,60,P02,in_person", "11:00,60,P02,in_person"),
        attendance=("S1,P01,attended", "S1,P01,did_not_attend"),
    )
    run(write(tmp_path / "b", changed), capsys)
    assert versions() == {"S1": 2, "S2": 1}


def test_the_version_moves_on_from_the_stored_one_not_a_count_of_imports(tmp_path, capsys):
    run(write(tmp_path / "a", GOOD), capsys)
    Session.objects.filter(external_id="S1").update(version=7)
    changed = varied(sessions=("10:00,60,P02,in_person", "11:00,60,P02,in_person"))
    run(write(tmp_path / "b", changed), capsys)
    assert versions()["S1"] == 8


def test_a_form_opened_before_an_import_changed_the_register_is_refused(tmp_path, capsys, ada):
    from coreflect.supervision import actions as supervision

    run(write(tmp_path / "a", GOOD), capsys)
    session = Session.objects.get(external_id="S2")
    opened_at = session.version
    jo = Person.objects.get(external_id="P01")
    run(write(tmp_path / "b", varied(attendance=("S2,P01,apologies", "S2,P01,attended"))), capsys)
    with pytest.raises(supervision.StaleEdit):
        supervision.record_register(
            by=ada.user, session=session, statuses={jo.pk: "apologies"}, version=opened_at
        )
    assert Attendance.objects.get(session=session, person=jo).status == "attended"


def test_a_form_opened_before_an_import_changed_the_session_is_refused(tmp_path, capsys, ada):
    from coreflect.supervision import actions as supervision

    run(write(tmp_path / "a", GOOD), capsys)
    session = Session.objects.get(external_id="S1")
    opened_at = session.version
    changed = varied(sessions=("10:00,60,P02,in_person", "11:00,60,P02,in_person"))
    run(write(tmp_path / "b", changed), capsys)
    with pytest.raises(supervision.StaleEdit):
        supervision.update_session(
            by=ada.user, session=session, version=opened_at, location="Room 9"
        )
    assert Session.objects.get(external_id="S1").location == "Room 1"


def test_an_import_opens_an_account_for_each_person_with_an_email_and_invites_them(
    tmp_path, capsys, smtp, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    folder = write(tmp_path, GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        run(folder, capsys)
    jo = Person.objects.get(external_id="P01")
    assert jo.user is not None and not jo.user.has_usable_password()
    (invitation,) = smtp.to("jo.bell@example.nhs.uk")
    assert "/accounts/password/reset/key/" in body_of(invitation)
    # Imported again: nobody is invited twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert SUMMARY[-1] not in run(folder, capsys)
    assert len(smtp.to("jo.bell@example.nhs.uk")) == 1
