"""The audit log and the notes access records are append-only: the database itself refuses
UPDATE, DELETE and TRUNCATE, whether the statement comes from the ORM or raw SQL; deleting a
user keeps who did what; flushing the whole database still works and leaves the triggers on."""

import datetime as dt
import uuid
from importlib import import_module

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from coreflect.audit import append_only
from coreflect.audit.actions import record, record_read
from coreflect.audit.models import AuditEvent, NotesAccess, ReadHow, Tombstone

MIGRATION = import_module("coreflect.audit.migrations.0004_tombstone")
POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no TRUNCATE and no roles"
)


def refused():
    """The database's refusal, in a savepoint so the test's transaction goes on after it."""
    return pytest.raises(IntegrityError, match="append-only")


class Savepoint:
    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def __exit__(self, *exc):
        self.atomic.__exit__(*exc)
        return False


@pytest.fixture
def rows(everyone):
    sam = everyone["sam"]
    event = record(by=sam.user, action="test.something", target=sam, reason="kept")
    access = record_read(
        by=sam.user,
        person=sam,
        notes_pk=41,
        session_pk=42,
        version=1,
        how=ReadHow.PAGE,
    )
    tombstone = tombstone_of(notes_pk=99, by=sam.user)
    return event, access, tombstone


def tombstone_of(*, notes_pk: int, by: User) -> Tombstone:
    return Tombstone.objects.create(
        at=timezone.now(),
        by=by,
        by_username=by.username,
        by_name="Sam Senior",
        reason="Reviewed",
        notes_pk=notes_pk,
        session_pk=1,
        session_date=dt.date(2018, 1, 1),
        supervisee_pk=1,
        supervisee_name="A",
        supervisor_pk=2,
        supervisor_name="B",
        supervision_ended=dt.date(2018, 3, 31),
        retain_until=dt.date(2024, 3, 31),
        versions=1,
        comments=0,
        topics=0,
        access_records=1,
    )


def test_the_migration_holds_the_sql_append_only_writes():
    assert append_only.postgresql_sql() == MIGRATION.POSTGRESQL
    assert append_only.postgresql_drop_sql() == MIGRATION.POSTGRESQL_DROP
    assert append_only.sqlite_sql() == MIGRATION.SQLITE
    assert append_only.sqlite_drop_sql() == MIGRATION.SQLITE_DROP


def test_both_tables_have_their_triggers(db):
    expected = {
        "postgresql": [
            "audit_auditevent_append_only",
            "audit_auditevent_no_truncate",
            "audit_notesaccess_append_only",
            "audit_notesaccess_no_truncate",
            "audit_tombstone_append_only",
            "audit_tombstone_no_truncate",
        ],
        "sqlite": [
            "audit_auditevent_append_only_delete",
            "audit_auditevent_append_only_update",
            "audit_notesaccess_append_only_delete",
            "audit_notesaccess_append_only_update",
            "audit_tombstone_append_only_delete",
            "audit_tombstone_append_only_update",
        ],
    }[connection.vendor]
    assert append_only.installed(connection) == expected


@pytest.mark.parametrize("model", [AuditEvent, NotesAccess, Tombstone])
def test_the_orm_cannot_update_or_delete_a_record(rows, model):
    row = model.objects.get()
    with refused(), Savepoint():
        model.objects.update(at=timezone.now())
    with refused(), Savepoint():
        model.objects.filter(pk=row.pk).delete()
    with refused(), Savepoint():
        row.delete()
    with refused(), Savepoint():
        row.save()  # an existing row: an UPDATE
    assert model.objects.get() == row


@pytest.mark.parametrize("table", append_only.TABLES)
def test_raw_sql_cannot_update_or_delete_a_record(rows, table):
    with refused(), Savepoint(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET at = at")  # noqa: S608 (our own table names)
    with refused(), Savepoint(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone() == (1,)


@POSTGRESQL_ONLY
@pytest.mark.parametrize("table", append_only.TABLES)
def test_truncate_is_refused(rows, table):
    with refused(), Savepoint(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
    with refused(), Savepoint(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")


def test_new_records_are_still_written(rows):
    record(by=None, action="test.more")
    assert AuditEvent.objects.count() == 2


def test_deleting_a_user_keeps_who_did_what(rows, everyone):
    sam = everyone["sam"]
    user_pk = sam.user.pk
    sam.user.delete()
    assert not User.objects.filter(pk=user_pk).exists()
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.actor_username, event.actor_name) == (
        user_pk,
        "sam",
        "Sam Senior",
    )
    assert event.detail == {"reason": "kept"}
    read = NotesAccess.objects.get()
    assert (read.reader_id, read.reader_username, read.reader_name, read.person_pk) == (
        user_pk,
        "sam",
        "Sam Senior",
        sam.pk,
    )


def test_a_user_without_a_person_is_named_by_their_full_name(db):
    admin = User.objects.create_user("root", first_name="Rita", last_name="Root")
    event = record(by=admin, action="test.admin")
    assert (event.actor_username, event.actor_name) == ("root", "Rita Root")


def test_an_anonymous_entry_names_no_one(db):
    event = record(by=None, action="test.command")
    assert (event.actor_id, event.actor_username, event.actor_name) == (None, "", "")


# Retention (docs/confidentiality.md): an access record goes once its notes are gone and their
# tombstone is written, and in no other case. Notes 99 do not exist; the rows fixture wrote
# their tombstone. Notes 41 have no tombstone.


def read_of(notes_pk: int, everyone) -> NotesAccess:
    sam = everyone["sam"]
    return record_read(
        by=sam.user, person=sam, notes_pk=notes_pk, session_pk=1, version=1, how=ReadHow.PAGE
    )


def test_an_access_record_of_notes_gone_with_a_tombstone_can_be_deleted(rows, everyone):
    read_of(99, everyone)
    assert NotesAccess.objects.filter(notes_pk=99).delete()[0] == 1
    with connection.cursor() as cursor:
        read_of(99, everyone)
        cursor.execute("DELETE FROM audit_notesaccess WHERE notes_pk = 99")
    assert list(NotesAccess.objects.values_list("notes_pk", flat=True)) == [41]


def test_an_access_record_without_a_tombstone_cannot_be_deleted(rows):
    with refused(), Savepoint():
        NotesAccess.objects.filter(notes_pk=41).delete()
    assert NotesAccess.objects.filter(notes_pk=41).exists()


def test_a_tombstone_does_not_let_an_access_record_be_changed(rows, everyone):
    read_of(99, everyone)
    with refused(), Savepoint():
        NotesAccess.objects.filter(notes_pk=99).update(reader_name="Someone else")
    with refused(), Savepoint(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_notesaccess SET notes_pk = 99 WHERE notes_pk = 41")


@POSTGRESQL_ONLY
def test_the_app_role_deletes_only_tombstoned_access_records(app_role, everyone):
    read_of(99, everyone)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_notesaccess WHERE notes_pk = 99")
        assert cursor.rowcount == 1
    with refused(), Savepoint(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_notesaccess WHERE notes_pk = 41")


@pytest.mark.django_db(transaction=True)
def test_flushing_the_database_empties_the_tables_and_keeps_the_triggers(everyone):
    sam = everyone["sam"]
    record(by=sam.user, action="test.flushed")
    record_read(by=sam.user, person=sam, notes_pk=1, session_pk=1, version=1, how=ReadHow.PAGE)
    before = append_only.installed(connection)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists() and not NotesAccess.objects.exists()
    assert not Tombstone.objects.exists()
    assert append_only.installed(connection) == before
    record(by=None, action="test.after")
    with refused(), Savepoint():
        AuditEvent.objects.all().delete()


# The production role (docs/database-role.md): it may read and add, nothing else, and it cannot
# take the triggers away. Roles belong to the whole PostgreSQL cluster; CREATE ROLE inside the
# test's transaction is rolled back with it.


@pytest.fixture
def app_role(rows):
    name = f"coreflect_test_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {name}")
        # As docs/database-role.md grants them: read and add; delete access records only
        # (which the triggers allow just for notes deleted after review); read the notes.
        for table in append_only.TABLES:
            cursor.execute(f"GRANT SELECT, INSERT ON {table} TO {name}")
            cursor.execute(f"GRANT USAGE ON SEQUENCE {table}_id_seq TO {name}")
        cursor.execute(f"GRANT DELETE ON audit_notesaccess TO {name}")
        cursor.execute(f"GRANT SELECT ON notes_notes TO {name}")
        cursor.execute(f"SET LOCAL ROLE {name}")
    yield name
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


@POSTGRESQL_ONLY
@pytest.mark.parametrize("table", append_only.TABLES)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET at = at",
        "DELETE FROM {table}",
        "TRUNCATE {table}",
        "DROP TRIGGER {table}_append_only ON {table}",
        "ALTER TABLE {table} DISABLE TRIGGER ALL",
        "DROP TABLE {table}",
    ],
)
def test_the_app_role_cannot_change_remove_or_unguard_the_records(app_role, table, statement):
    from django.db import ProgrammingError

    if (table, statement) == ("audit_notesaccess", "DELETE FROM {table}"):
        # Granted, for retention; the trigger refuses all but the tombstoned (below).
        with refused(), Savepoint(), connection.cursor() as cursor:
            cursor.execute(statement.format(table=table))
        return
    with pytest.raises(ProgrammingError, match="permission denied|must be owner"):
        with Savepoint(), connection.cursor() as cursor:
            cursor.execute(statement.format(table=table))


@POSTGRESQL_ONLY
def test_the_app_role_cannot_turn_triggers_off_for_its_session(app_role):
    from django.db import ProgrammingError

    with pytest.raises(ProgrammingError, match="permission denied"):
        with Savepoint(), connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")


@POSTGRESQL_ONLY
def test_the_app_role_reads_and_adds_records(app_role, everyone):
    assert AuditEvent.objects.count() == 1
    record(by=None, action="test.as_app")
    assert AuditEvent.objects.count() == 2


@POSTGRESQL_ONLY
def test_the_app_role_cannot_flush(app_role):
    from django.core.management.base import CommandError
    from django.db import ProgrammingError

    with pytest.raises((ProgrammingError, CommandError)), Savepoint():
        call_command("flush", interactive=False, verbosity=0)
