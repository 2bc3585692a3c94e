import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from coreflect.imports import rules
from coreflect.imports.models import ImportRun
from coreflect.people.models import EmploymentPeriod, Person, Placement
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship

GOOD = {
    "people.csv": """person_id,name,email,role,service,locality,line_manager_id
P01,Jo Bell,jo.bell@example.nhs.uk,peer_worker,Adult,Durham,M01
P02,Sam Shaw,sam@example.nhs.uk,senior_peer_worker,Adult,Durham,M01
M01,Lee Line,lee@example.nhs.uk,line_manager,Adult,Durham,
""",
    "employment.csv": """person_id,start_date,end_date
P01,2025-05-15,
P02,2020-01-01,2024-12-31
P02,2025-02-01,
""",
    "supervision.csv": """supervisee_id,supervisor_id,type,start_date,end_date
P01,P02,peer_work,2025-05-15,
P01,M01,line_management,2025-05-15,
""",
    "absences.csv": """person_id,type,start_date,end_date
P01,sickness,2025-08-01,2025-09-15
""",
    "sessions.csv": """session_id,kind,date,start_time,duration_minutes,lead_id,modality,location
S1,one_to_one,2025-06-02,10:00,60,P02,in_person,Room 1
S2,co_reflection,2025-06-25,10:00,180,P02,video,
""",
    "attendance.csv": """session_id,person_id,status
S1,P01,attended
S2,P01,apologies
""",
}


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def table_counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "employment": EmploymentPeriod.objects.count(),
        "relationships": SupervisionRelationship.objects.count(),
        "sessions": Session.objects.count(),
        "attendance": Attendance.objects.count(),
    }


def errors_for(files: dict[str, str], known: rules.Known | None = None) -> list[str]:
    return rules.parse(
        {n: t.splitlines(keepends=True) for n, t in files.items()}, known or rules.Known()
    )[1]


# Pure checks.


def test_good_files_have_no_problems():
    assert errors_for(GOOD) == []


def test_first_data_row_is_line_2_and_bad_role_lists_the_choices():
    files = {
        **GOOD,
        "people.csv": GOOD["people.csv"].replace("peer_worker,Adult", "peer wrker,Adult", 1),
    }
    [error] = errors_for(files)
    assert error.startswith('people.csv:2: role "peer wrker" is not one of: head_of_peer_work,')


def test_missing_and_unknown_columns_are_reported_on_line_1():
    errors = errors_for({"employment.csv": "person_id,start,end_date\nP01,2025-01-01,\n"})
    assert 'employment.csv:1: missing column "start_date"' in errors
    assert any(e.startswith('employment.csv:1: unknown column "start"') for e in errors)


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "employment.csv",
            "P01,2025-05-15,",
            "P01,2025-13-01,",
            'employment.csv:2: start_date "2025-13-01" is not a date (YYYY-MM-DD)',
        ),
        (
            "employment.csv",
            "P01,2025-05-15,",
            "P01,2025-05-15,2025-05-01",
            "employment.csv:2: end_date 2025-05-01 is before start_date 2025-05-15",
        ),
        (
            "sessions.csv",
            "10:00,60,P02,in_person",
            "25:00,60,P02,in_person",
            'sessions.csv:2: start_time "25:00" is not a time (HH:MM)',
        ),
        (
            "sessions.csv",
            "10:00,60,P02,in_person",
            "10:00,0,P02,in_person",
            'sessions.csv:2: duration_minutes "0" is not a whole number above 0',
        ),
        (
            "sessions.csv",
            "10:00,60,P02,in_person",
            "10:00,60,P99,in_person",
            'sessions.csv:2: lead_id "P99" is not in people.csv or already imported',
        ),
        (
            "attendance.csv",
            "S1,P01,attended",
            "S9,P01,attended",
            'attendance.csv:2: session_id "S9" is not in sessions.csv or already imported',
        ),
        (
            "attendance.csv",
            "S1,P01,attended",
            "S1,P01,came",
            'attendance.csv:2: status "came" is not one of: attended, cancelled_by_supervisee, '
            "cancelled_by_supervisor, did_not_attend, apologies, tentative, invited",
        ),
        (
            "people.csv",
            "jo.bell@example.nhs.uk",
            "jo.bell",
            'people.csv:2: email "jo.bell" is not an email address',
        ),
        ("people.csv", "P01,Jo Bell,", ",Jo Bell,", "people.csv:2: person_id is blank"),
        (
            "people.csv",
            "Lee Line,lee@example.nhs.uk,line_manager,Adult,Durham,",
            "Lee Line,lee@example.nhs.uk,line_manager,Adult,Durham,M01",
            "people.csv:4: a person cannot be their own line manager",
        ),
        (
            "supervision.csv",
            "P01,M01,line_management",
            "P01,P01,line_management",
            "supervision.csv:3: a person cannot supervise themselves",
        ),
        (
            "absences.csv",
            "sickness",
            "flu",
            'absences.csv:2: type "flu" is not one of: sickness, annual_leave, parental, other',
        ),
    ],
)
def test_each_kind_of_problem_is_reported_with_file_and_line(name, old, new, expected):
    files = {**GOOD, name: GOOD[name].replace(old, new, 1)}
    assert expected in errors_for(files)


def test_duplicate_ids_point_at_the_first_line():
    files = {**GOOD, "people.csv": GOOD["people.csv"] + "P01,Jo Again,,peer_worker,,,\n"}
    assert 'people.csv:5: person_id "P01" appears again (first on line 2)' in errors_for(files)


def test_overlapping_peer_work_supervisors_are_refused():
    files = {
        **GOOD,
        "supervision.csv": GOOD["supervision.csv"] + "P01,M01,peer_work,2025-09-01,\n",
    }
    assert (
        "supervision.csv:4: P01 would have two peer work supervisors at once (overlaps line 2)"
        in errors_for(files)
    )


def test_overlap_with_a_stored_relationship_is_refused():
    known = rules.Known(
        person_ids=frozenset({"P01", "P02", "M01"}),
        peer_work={"P01": [("M01", dt.date(2025, 1, 1), None)]},
    )
    files = {"supervision.csv": GOOD["supervision.csv"]}
    [error] = errors_for(files, known)
    assert error.startswith("supervision.csv:2: P01 would have two peer work supervisors at once")


def test_wrong_number_of_fields_is_reported():
    files = {"employment.csv": "person_id,start_date,end_date\nP01,2025-01-01\n"}
    assert errors_for(files, rules.Known(person_ids=frozenset({"P01"}))) == [
        "employment.csv:2: expected 3 fields, found 2"
    ]


def test_a_quoted_field_over_two_lines_keeps_later_line_numbers_true():
    text = "session_id,kind,date,start_time,duration_minutes,lead_id,modality,location\n"
    text += 'S1,one_to_one,2025-06-02,10:00,60,P02,in_person,"Room 1\nfirst floor"\n'
    text += "S2,one_to_one,2025-06-02,10:00,60,P02,by pigeon,\n"
    errors = errors_for({"sessions.csv": text}, rules.Known(person_ids=frozenset({"P02"})))
    assert errors == ['sessions.csv:4: modality "by pigeon" is not one of: in_person, video, phone']


# The command.


def test_import_command_imports_a_folder(tmp_path, db, capsys):
    call_command("import", str(write(tmp_path, GOOD)))
    out = capsys.readouterr().out
    assert "people.csv: 3 rows (3 created, 0 updated, 0 unchanged)" in out
    jo = Person.objects.get(external_id="P01")
    assert jo.line_manager.external_id == "M01"
    assert jo.locality.name == "Durham" and jo.service.name == "Adult"
    assert SupervisionRelationship.objects.get(type="peer_work").supervisor_is_peer
    assert not SupervisionRelationship.objects.get(type="line_management").supervisor_is_peer
    assert Attendance.objects.get(session__external_id="S2").status == "apologies"
    assert Placement.objects.filter(person=jo, end_date__isnull=True).count() == 1


def test_reimporting_the_same_files_changes_nothing(tmp_path, db, capsys):
    folder = write(tmp_path, GOOD)
    call_command("import", str(folder))
    before = table_counts()
    capsys.readouterr()
    call_command("import", str(folder))
    out = capsys.readouterr().out
    assert table_counts() == before
    assert "0 created, 0 updated" in out and " created, 0 updated" in out
    assert all("(0 created, 0 updated," in line for line in out.splitlines())


def test_changed_rows_are_updated_and_history_kept(tmp_path, db, capsys):
    call_command("import", str(write(tmp_path, GOOD)))
    moved = GOOD["people.csv"].replace(
        "P01,Jo Bell,jo.bell@example.nhs.uk,peer_worker,Adult,Durham",
        "P01,Jo Bell,jo.bell@example.nhs.uk,peer_lead,Adult,Darlington",
    )
    capsys.readouterr()
    call_command("import", str(write(tmp_path / "2", {"people.csv": moved})))
    assert "people.csv: 3 rows (0 created, 1 updated, 2 unchanged)" in capsys.readouterr().out
    jo = Person.objects.get(external_id="P01")
    assert jo.role == "peer_lead" and jo.locality.name == "Darlington"
    [placement] = Placement.objects.filter(person=jo)  # made and changed on the same day
    assert placement.role == "peer_lead" and placement.end_date is None


def test_bad_folder_prints_every_problem_and_imports_nothing(tmp_path, db, capsys):
    bad = {
        **GOOD,
        "people.csv": GOOD["people.csv"].replace("peer_worker,Adult", "peer wrker,Adult", 1),
        "attendance.csv": GOOD["attendance.csv"] + "S1,P77,attended\n",
    }
    with pytest.raises(CommandError, match="2 problems found; nothing was imported"):
        call_command("import", str(write(tmp_path, bad)))
    err = capsys.readouterr().err
    assert 'people.csv:2: role "peer wrker"' in err
    assert 'attendance.csv:4: person_id "P77" is not in people.csv or already imported' in err
    assert table_counts() == dict.fromkeys(table_counts(), 0)


def test_absent_files_are_fine(tmp_path, db, capsys):
    call_command("import", str(write(tmp_path, {"people.csv": GOOD["people.csv"]})))
    call_command("import", str(write(tmp_path / "b", {"employment.csv": GOOD["employment.csv"]})))
    assert EmploymentPeriod.objects.count() == 3


def test_a_file_with_a_byte_order_mark_is_read(tmp_path, db):
    (tmp_path / "people.csv").write_text(GOOD["people.csv"], encoding="utf-8-sig")
    call_command("import", str(tmp_path))
    assert Person.objects.count() == 3


# The upload page.


def uploads(files: dict[str, str]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, text.encode(), "text/csv") for name, text in files.items()]


@pytest.fixture
def immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db(transaction=True)
def test_admin_uploads_good_files_and_sees_the_summary(login, ada, immediate_tasks):
    client = login(ada)
    response = client.post("/imports/", {"upload": uploads(GOOD)}, follow=True)
    text = response.content.decode()
    assert "Imported." in text
    assert "attendance.csv: 2 rows (2 created, 0 updated, 0 unchanged)" in text
    assert ImportRun.objects.get().status == "done"


@pytest.mark.django_db(transaction=True)
def test_admin_uploads_a_bad_row_and_sees_every_error_with_nothing_imported(
    login, ada, immediate_tasks
):
    bad = {**GOOD, "sessions.csv": GOOD["sessions.csv"].replace("video", "carrier pigeon")}
    bad["people.csv"] = bad["people.csv"].replace("jo.bell@example.nhs.uk", "jo")
    response = login(ada).post("/imports/", {"upload": uploads(bad)}, follow=True)
    text = response.content.decode()
    assert "Nothing was imported: 2 problems found" in text
    assert "people.csv:2: email &quot;jo&quot; is not an email address" in text
    assert "sessions.csv:3: modality &quot;carrier pigeon&quot;" in text
    assert Person.objects.filter(external_id="P01").count() == 0


def test_upload_of_a_file_with_another_name_is_refused(login, ada):
    response = login(ada).post("/imports/", {"upload": uploads({"staff.csv": "x\n"})})
    assert "staff.csv: not one of the import files" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_progress_fragment_for_htmx_polling(login, ada):
    run = ImportRun.objects.create(
        created_by=ada.user,
        file_names=["attendance.csv"],
        status="writing",
        processed_rows=5000,
        total_rows=20000,
    )
    response = login(ada).get(f"/imports/{run.pk}/", headers={"HX-Request": "true"})
    text = response.content.decode()
    assert "5000 of 20000 rows (25%)" in text
    assert 'hx-trigger="every 1s"' in text and "<html" not in text


@pytest.mark.parametrize("who", ["alice", "sam", "lena", "hana", "gus"])
def test_import_pages_without_permission_are_404(login, everyone, who):
    run = ImportRun.objects.create(file_names=["people.csv"])
    client = login(everyone[who])
    assert client.get("/imports/").status_code == 404
    assert client.get(f"/imports/{run.pk}/").status_code == 404
    assert client.post("/imports/", {"upload": uploads(GOOD)}).status_code == 404
