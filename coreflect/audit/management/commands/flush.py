"""Django's flush, which empties every table, made to work on the append-only tables.

The audit log and the notes access records refuse DELETE and TRUNCATE (audit/append_only.py),
so a plain flush fails. This one drops their triggers, flushes and installs the triggers again,
all in one transaction: a flush that fails leaves the triggers where they were. Dropping a
trigger needs the table's owner, so run as the production app role (which owns nothing,
docs/database-role.md) it fails and nothing is emptied.

The test suite's transactional tests (pytest-django's transactional_db and live_server, for the
browser tests) flush the database after each test with this command.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

from coreflect.audit import append_only


class Command(flush.Command):
    help = flush.Command.help + " Includes the append-only audit tables (their triggers stay)."

    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias):
            guarded = append_only.installed(connection)
            tables = tuple(
                table
                for table in append_only.existing_tables(connection)
                if any(name.startswith(f"{table}_") for name in guarded)
            )
            append_only.drop(connection, tables)
            super().handle(**options)
            append_only.create(connection, tables)
