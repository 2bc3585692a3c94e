"""The upload page and the run page, for administrators only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import (
    MemoryFileUploadHandler,
    TemporaryFileUploadHandler,
)
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coreflect.audit.models import AuditEvent
from coreflect.imports import actions, tasks
from coreflect.imports.models import ImportRun
from coreflect.imports.tests.samples import GOOD, UPLOADABLE, varied, write
from coreflect.people.models import Person
from coreflect.supervision.models import Attendance


def uploads(files: dict[str, str]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, text.encode(), "text/csv") for name, text in files.items()]


@pytest.fixture
def immediate(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# The task runs once the upload's transaction commits, so these tests commit for real.
committing = pytest.mark.django_db(transaction=True)


@committing
def test_admin_uploads_good_files_and_sees_the_summary(login, ada, immediate):
    response = login(ada).post("/imports/", {"csv_files": uploads(UPLOADABLE)}, follow=True)
    run = ImportRun.objects.get()
    assert response.redirect_chain == [(f"/imports/{run.pk}/", 302)]
    text = response.content.decode()
    assert "people.csv: 4 rows (4 created, 0 updated, 0 unchanged)" in text
    assert "attendance.csv: 2 rows (2 created, 0 updated, 0 unchanged)" in text
    assert (run.status, run.created_by, run.errors) == ("done", ada.user, [])
    assert run.processed_rows == run.total_rows == 14
    assert run.finished_at is not None
    assert sorted(run.file_names) == sorted(GOOD)
    assert not (immediate / "imports" / str(run.pk)).exists()  # deleted when the run ended
    assert Attendance.objects.count() == 2
    assert "hx-trigger" not in text  # finished: no more polling


@committing
def test_admin_uploads_bad_files_and_sees_every_error_with_nothing_imported(login, ada, immediate):
    bad = varied(
        UPLOADABLE,
        sessions=("video", "carrier pigeon"),
        people=("jo.bell@example.nhs.uk", "jo"),
        attendance=("S1,P01,attended", "S1,P01,came"),
    )
    people = Person.objects.count()
    response = login(ada).post("/imports/", {"csv_files": uploads(bad)}, follow=True)
    text = response.content.decode()
    assert "Nothing was imported." in text
    assert 'people.csv:2: email "jo" is not an email address' in text
    assert (
        'sessions.csv:3: modality "carrier pigeon" is not one of: in_person, video, phone' in text
    )
    assert 'attendance.csv:2: status "came" is not one of:' in text
    assert "nhsuk-error-summary" in text
    run = ImportRun.objects.get()
    assert run.status == "failed" and len(run.errors) == 3
    assert Person.objects.count() == people
    download = login(ada).get(f"/imports/{run.pk}/problems.txt")
    assert download.content.decode().splitlines() == run.errors
    assert not (immediate / "imports" / str(run.pk)).exists()  # deleted when the run ended


def test_a_file_with_another_name_is_refused(login, ada):
    response = login(ada).post(
        "/imports/", {"csv_files": uploads({"staff.csv": "x\n", "people.csv": GOOD["people.csv"]})}
    )
    text = response.content.decode()
    assert "staff.csv: not one of the import files (people.csv, employment.csv" in text
    assert not ImportRun.objects.exists()


def test_an_upload_without_files_asks_for_them(login, ada):
    response = login(ada).post("/imports/", {})
    assert "Choose the CSV files to import" in response.content.decode()


def test_the_upload_page_offers_several_csv_files_and_lists_recent_runs(login, ada):
    run = ImportRun.objects.create(created_by=ada.user, file_names=["people.csv"])
    text = login(ada).get("/imports/").content.decode()
    assert 'type="file"' in text and " multiple " in text and 'accept=".csv"' in text
    assert f'href="/imports/{run.pk}/"' in text
    assert "Waiting to start" in text


def test_the_run_page_polls_its_progress_with_htmx(login, ada):
    run = ImportRun.objects.create(
        created_by=ada.user,
        file_names=["attendance.csv"],
        status="validating",
        processed_rows=12000,
        total_rows=1040000,
    )
    client = login(ada)
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "<html" in page and "<noscript>" in page and ">Refresh</a>" in page
    fragment = client.get(f"/imports/{run.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert "Validating… 12,000 of 1,040,000 rows (1%)" in fragment
    assert f'hx-get="/imports/{run.pk}/"' in fragment and 'hx-trigger="every 1s"' in fragment
    assert '<progress class="app-progress" max="1040000" value="12000"' in fragment


def test_a_run_from_before_the_cap_shows_its_first_thousand_problems(login, ada):
    errors = [f"attendance.csv:{n}: status is blank" for n in range(2, 1502)]
    run = ImportRun.objects.create(
        created_by=ada.user,
        file_names=["attendance.csv"],
        status="failed",
        errors=errors,
        finished_at=timezone.now(),
    )
    text = login(ada).get(f"/imports/{run.pk}/").content.decode()
    assert "There are 1,500 problems with the files" in text
    assert "attendance.csv:1001: status is blank" in text
    assert "attendance.csv:1002: status is blank" not in text
    assert "… and 500 more problems" in text and f"/imports/{run.pk}/problems.txt" in text


@committing
def test_a_file_full_of_mistakes_keeps_the_first_thousand_and_counts_the_rest(
    login, ada, immediate
):
    text = "session_id,person_id,status\n" + "".join(f"S1,P{n},came\n" for n in range(1500))
    files = {**UPLOADABLE, "attendance.csv": text}
    page = login(ada).post("/imports/", {"csv_files": uploads(files)}, follow=True)
    run = ImportRun.objects.get()
    assert (len(run.errors), run.more_errors) == (1000, 2000)
    assert run.errors[-1].startswith("attendance.csv:501: ")
    text = page.content.decode()
    assert "There are 3,000 problems with the files" in text
    assert "attendance.csv:501: " in text and "attendance.csv:502: " not in text
    assert "… and 2,000 more problems" in text
    download = login(ada).get(f"/imports/{run.pk}/problems.txt").content.decode()
    assert download.splitlines() == [*run.errors, "… and 2,000 more problems"]


def test_an_unexpected_failure_marks_the_run_failed(ada, monkeypatch, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    run = ImportRun.objects.create(created_by=ada.user, file_names=["people.csv"])
    write(actions.upload_folder(run.pk), {"people.csv": GOOD["people.csv"]})

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tasks.actions, "import_folder", broken)
    with pytest.raises(RuntimeError):
        tasks.run_import.call(run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.errors == ["The import stopped unexpectedly (RuntimeError: disk on fire)."]
    assert not actions.upload_folder(run.pk).exists()  # deleted even so


@pytest.mark.parametrize("who", ["alice", "sam", "lena", "pat", "hana", "gus"])
def test_import_pages_without_permission_are_404(login, everyone, who):
    run = ImportRun.objects.create(file_names=["people.csv"])
    client = login(everyone[who])
    assert client.get("/imports/").status_code == 404
    assert client.post("/imports/", {"csv_files": uploads(GOOD)}).status_code == 404
    assert client.get(f"/imports/{run.pk}/").status_code == 404
    assert client.get(f"/imports/{run.pk}/problems.txt").status_code == 404
    assert not ImportRun.objects.exclude(pk=run.pk).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    assert client.get("/imports/").status_code == 302


def test_a_run_whose_files_have_gone_fails_and_says_so(ada, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    run = ImportRun.objects.create(created_by=ada.user, file_names=["people.csv"])
    tasks.run_import.call(run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.errors == ["people.csv: the uploaded file is no longer there"]


def test_the_list_of_recent_runs_takes_the_same_queries_however_long(
    login, ada, django_assert_max_num_queries
):
    client = login(ada)
    ImportRun.objects.create(created_by=ada.user, file_names=["people.csv"])
    with CaptureQueriesContext(connection) as one:
        client.get("/imports/")
    for _ in range(5):
        ImportRun.objects.create(created_by=ada.user, file_names=["people.csv"])
    with django_assert_max_num_queries(len(one)):
        client.get("/imports/")


def test_files_bigger_than_the_limit_together_are_refused_with_a_form_error(login, ada, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 300
    response = login(ada).post("/imports/", {"csv_files": uploads(GOOD)})
    text = response.content.decode()
    assert "There is a problem" in text
    assert "The files come to 795 bytes; one import takes at most 300 bytes." in text
    assert not ImportRun.objects.exists()


def test_the_upload_limit_is_twenty_megabytes_unless_set():
    from django.conf import settings

    assert settings.IMPORT_MAX_UPLOAD_BYTES == 20 * 1024 * 1024


def test_an_oversized_upload_is_refused_without_keeping_any_of_it(ada, settings, monkeypatch):
    """A body over the limit (and the form's allowance) has its files skipped as they arrive:
    no upload handler after the first receives a byte of them. The CSRF token, sent first as a
    browser sends it, is still read, and the page says what to do."""
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    received = []
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        real = handler.receive_data_chunk
        monkeypatch.setattr(
            handler,
            "receive_data_chunk",
            lambda self, data, start, real=real: (
                received.append(len(data)) or real(self, data, start)
            ),
        )
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada.user)
    token = client.get("/imports/").context["csrf_token"]
    big = {"attendance.csv": GOOD["attendance.csv"] + "S1,P02,invited\n" * 8_000}
    response = client.post("/imports/", {"csrfmiddlewaretoken": token, "csv_files": uploads(big)})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and "<title>Error: Import" in text
    assert "The files come to 117.5 kB; one import takes at most 1000 bytes." in text
    assert received == []
    assert not ImportRun.objects.exists()


def test_an_upload_within_the_allowance_reaches_the_form(login, ada, settings):
    """Just over the limit but within the form's allowance: the form sees the files and names
    their own size."""
    settings.IMPORT_MAX_UPLOAD_BYTES = 300
    text = login(ada).post("/imports/", {"csv_files": uploads(GOOD)}).content.decode()
    assert "The files come to 795 bytes" in text


def test_the_size_limit_names_the_sizes_in_megabytes(login, ada, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    big = {"attendance.csv": GOOD["attendance.csv"] + "S1,P02,invited\n" * 80_000}
    text = login(ada).post("/imports/", {"csv_files": uploads(big)}).content.decode()
    assert "The files come to 1.1 MB; one import takes at most 1 MB." in text
    assert not ImportRun.objects.exists()


@committing
def test_an_upload_is_audited_with_its_files_and_the_import_with_its_run(login, ada, immediate):
    login(ada).post("/imports/", {"csv_files": uploads(UPLOADABLE)})
    run = ImportRun.objects.get()
    upload = AuditEvent.objects.get(action="import.upload")
    assert (upload.actor, upload.object_type, upload.object_id) == (
        ada.user,
        "imports.importrun",
        str(run.pk),
    )
    assert upload.detail["files"] == {name: len(text.encode()) for name, text in UPLOADABLE.items()}
    done = AuditEvent.objects.get(action="import")
    assert (done.actor, done.detail["run"]) == (ada.user, run.pk)


@committing
@pytest.mark.parametrize(
    ("files", "problem"),
    [
        (
            {"people.csv": UPLOADABLE["people.csv"].replace("G01,Gina", "G/01,Gina")},
            'people.csv:5: person_id "G/01" may only contain letters (A–Z, a–z), digits, "-", '
            '"_" and "."',
        ),
        (
            varied(UPLOADABLE, people=("P01,Jo Bell", "P01,Jo\x00Bell")),
            "people.csv:2: name contains a control character, U+0000 (NUL)",
        ),
        (
            varied(
                UPLOADABLE,
                people=(
                    "Lee Line,lee@example.nhs.uk,line_manager,Adult,Durham,",
                    "Lee Line,lee@example.nhs.uk,line_manager,Adult,Durham,P02",
                ),
            ),
            "people.csv:3: line management goes round in a circle: P02 → M01 → P02",
        ),
    ],
)
def test_the_new_checks_are_shown_on_the_run_page(login, ada, immediate, files, problem):
    page = login(ada).post("/imports/", {"csv_files": uploads(files)}, follow=True)
    run = ImportRun.objects.get()
    assert run.errors == [problem]
    assert problem in page.content.decode()


@committing
def test_a_utf16_upload_is_one_problem_on_the_run_page(login, ada, immediate):
    upload = SimpleUploadedFile("people.csv", GOOD["people.csv"].encode("utf-16"), "text/csv")
    page = login(ada).post("/imports/", {"csv_files": [upload]}, follow=True)
    problem = 'people.csv:1: the file is not UTF-8 (it looks like UTF-16); save it as "CSV UTF-8"'
    assert ImportRun.objects.get().errors == [problem]
    assert problem in page.content.decode()


# Privileged roles: the upload page never gives them (the command line does).

PEOPLE_HEADER = "person_id,name,email,role,service,locality,line_manager_id\n"


def refusal(line: int, words: str) -> str:
    return (
        f"people.csv:{line}: the {words} role cannot be given by an upload; an administrator "
        "grants it on the person's page"
    )


@committing
def test_an_upload_giving_someone_new_a_privileged_role_is_refused_whole(login, ada, immediate):
    page = login(ada).post("/imports/", {"csv_files": uploads(GOOD)}, follow=True)  # Gina
    run = ImportRun.objects.get()
    assert (run.status, run.errors) == ("failed", [refusal(5, "governance")])
    assert refusal(5, "governance") in page.content.decode()
    assert "Nothing was imported." in page.content.decode()
    assert not Person.objects.filter(external_id__in=["P01", "G01"]).exists()
    assert not Attendance.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="import.r").exists()


@committing
@pytest.mark.parametrize(
    ("role", "words"), [("admin", "administrator"), ("head_of_peer_work", "head of peer work")]
)
def test_an_upload_promoting_someone_to_a_privileged_role_is_refused(
    login, ada, alice, immediate, role, words
):
    files = {"people.csv": PEOPLE_HEADER + f"ALICE,Alice Able,,{role},North,Northton,\n"}
    login(ada).post("/imports/", {"csv_files": uploads(files)})
    assert ImportRun.objects.get().errors == [refusal(2, words)]
    alice.refresh_from_db()
    assert alice.role == "peer_worker"


@committing
def test_an_upload_may_restate_a_privileged_role_someone_holds(login, ada, gus, immediate):
    files = {
        "people.csv": PEOPLE_HEADER
        + "ADA,Ada Admin,ada@example.nhs.uk,admin,,,\n"
        + "GUS,Gus Governance-Smith,gus@example.nhs.uk,governance,,,\n"
    }
    login(ada).post("/imports/", {"csv_files": uploads(files)})
    run = ImportRun.objects.get()
    assert (run.status, run.errors) == ("done", [])
    assert Person.objects.get(external_id="GUS").name == "Gus Governance-Smith"
    assert not AuditEvent.objects.filter(action="import.role_grant").exists()


@committing
def test_an_uploads_rows_are_on_the_audit_log_as_the_uploaders(login, ada, immediate):
    login(ada).post("/imports/", {"csv_files": uploads(UPLOADABLE)})
    entries = AuditEvent.objects.filter(action="import.row.create")
    assert entries.count() == 14
    assert {(e.actor, e.object_type) for e in entries if e.detail["file"] == "people.csv"} == {
        (ada.user, "people.person")
    }


def test_the_upload_page_says_it_gives_no_privileged_role(login, ada):
    text = login(ada).get("/imports/").content.decode()
    assert "never gives anyone the administrator, governance or head of peer work role" in text
