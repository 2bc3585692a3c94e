"""Every download of personal data is on the audit log: one entry an export.* action, by whom,
with what was asked for (the filters, the record). Every address that serves a file is listed
here, so a new download cannot go unrecorded unnoticed."""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from coreflect.audit.models import AuditEvent
from coreflect.imports.models import ImportRun
from coreflect.notes.tests.conftest import one_to_one, write_notes

# Address name → the action its download records.
DOWNLOADS = {
    "compliance:matrix_csv": "export.matrix",
    "compliance:matrix_xlsx": "export.matrix",
    "notes:register_csv": "export.notes_register",
    "notes:pdf": "export.notes",
    "notes:pdf_all": "export.notes",
    "auditlog:csv": "export.audit_log",
    "imports:errors": "export.import_problems",
    "calendars:feed": "export.calendar",
    "agreements:version_pdf": "export.agreement",
}
FILE_SUFFIXES = (".csv", ".xlsx", ".pdf", ".txt", ".json", ".zip", ".ics", ".xml")


def file_addresses(patterns=None, namespace="") -> list[str]:
    """The names of the addresses whose path ends as a file's name does."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += file_addresses(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and str(pattern.pattern).endswith(FILE_SUFFIXES):
            found.append(f"{namespace}{pattern.name}")
    return found


@pytest.fixture
def held(sam, alice):
    """A one-to-one Sam held with Alice on the Thursday before the frozen Monday."""
    return one_to_one(sam, alice, dt.date(2026, 11, 19))


def test_every_address_that_serves_a_file_is_a_recorded_download():
    assert sorted(file_addresses()) == sorted(DOWNLOADS)


def the_download(response, user, action):
    """The response is the file, and exactly one entry records it."""
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    [entry] = AuditEvent.objects.filter(action=action)
    assert entry.actor == user
    return entry


def test_the_matrix_downloads_are_recorded_with_their_filters(login, hana, north, alice):
    client = login(hana)
    for suffix in ("csv", "xlsx"):
        client.get(f"/matrix.{suffix}", {"year": "2026", "service": north.service.pk})
    entries = AuditEvent.objects.filter(action="export.matrix", actor=hana.user)
    assert sorted(e.detail["format"] for e in entries) == ["csv", "xlsx"]
    assert {(e.detail["year"], tuple(e.detail["filters"])) for e in entries} == {
        ("2026/27", ("Service: North",))
    }


def test_the_notes_register_download_is_recorded_with_its_service(login, hana, north, alice):
    response = login(hana).get("/notes/register.csv", {"service": north.service.pk})
    entry = the_download(response, hana.user, "export.notes_register")
    assert entry.detail["service"] == "North"
    assert entry.detail["as_of"] == timezone.localdate().isoformat()


def test_a_sessions_notes_pdf_is_recorded_naming_the_session(login, everyone, held):
    sam = everyone["sam"]
    notes = write_notes(sam, held)
    response = login(sam).get(f"/notes/session/{held.pk}/notes.pdf")
    entry = the_download(response, sam.user, "export.notes")
    assert (entry.object_type, entry.object_id) == ("supervision.session", str(held.pk))
    assert entry.detail == {"format": "pdf", "scope": "session", "notes": [notes.pk]}


def test_all_my_notes_as_a_pdf_is_recorded_naming_the_notes(login, everyone, held):
    sam = everyone["sam"]
    notes = write_notes(sam, held)
    response = login(sam).get("/notes/all-notes.pdf")
    entry = the_download(response, sam.user, "export.notes")
    assert entry.detail == {"format": "pdf", "scope": "all", "notes": [notes.pk]}


def test_a_refused_notes_pdf_records_nothing(login, everyone, held):
    write_notes(everyone["sam"], held)
    assert login(everyone["gus"]).get(f"/notes/session/{held.pk}/notes.pdf").status_code == 404
    assert not AuditEvent.objects.filter(action="export.notes").exists()


def test_the_audit_log_download_is_recorded_with_its_filters(login, gus, sam):
    response = login(gus).get("/audit/audit-log.csv", {"actor": "sam", "date_from": "2026-11-01"})
    entry = the_download(response, gus.user, "export.audit_log")
    assert entry.detail == {
        "format": "csv",
        "filters": {"actor": "sam", "date_from": "2026-11-01"},
    }


def test_an_imports_problems_download_is_recorded_naming_the_run(login, ada):
    run = ImportRun.objects.create(
        created_by=ada.user,
        file_names=["people.csv"],
        status="failed",
        errors=['people.csv:2: email "jo" is not an email address'],
        finished_at=timezone.now(),
    )
    response = login(ada).get(f"/imports/{run.pk}/problems.txt")
    entry = the_download(response, ada.user, "export.import_problems")
    assert (entry.object_type, entry.object_id) == ("imports.importrun", str(run.pk))
    assert entry.detail == {"format": "txt"}


@pytest.mark.parametrize("who", ["alice", "gus"])
def test_a_refused_download_records_nothing(login, everyone, who):
    run = ImportRun.objects.create(file_names=["people.csv"], status="pending")
    assert login(everyone[who]).get(f"/imports/{run.pk}/problems.txt").status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="export.").exists()


def test_a_calendar_feed_is_recorded_on_its_first_fetch_each_day(client, alice, frozen_clock):
    from coreflect.calendars.actions import make_address

    path = f"/calendar/{make_address(by=None, person=alice)}.ics"
    for _ in range(3):
        assert client.get(path).status_code == 200
    [entry] = AuditEvent.objects.filter(action="export.calendar")
    assert (entry.object_type, entry.object_id) == ("people.person", str(alice.pk))
    frozen_clock.shift(dt.timedelta(days=1))
    client.get(path)
    assert AuditEvent.objects.filter(action="export.calendar").count() == 2
