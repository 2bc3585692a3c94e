"""`coreflect rotate-notes-key`: every encrypted value re-encrypted under the newest notes key.

The operator puts a new key first in NOTES_KEYS and keeps the old ones after it (so everything
stays readable throughout), runs this, and removes the old keys once it says every row is under
the newest. Each batch is its own transaction; stopped part-way, it is run again: rows already
under the newest key are read and skipped.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coreflect.notes import encryption


class Command(BaseCommand):
    help = (
        "Re-encrypt all note content under the first key in NOTES_KEYS (the others still "
        "decrypt until it finishes). Safe to run again if it is stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Rows re-encrypted in each transaction (default 500).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        keys = encryption.current_keys()
        try:
            encryption.encrypt("")  # the keys themselves are checked before any row is read
        except encryption.NotesKeyError as error:
            raise CommandError(str(error)) from None
        if len(keys) == 1:
            self.stdout.write(
                "NOTES_KEYS holds one key: put the new key first and the old one after it, "
                "then run this again. Checking that every row is under the one key."
            )
        # Rows, re-encrypted, already under the newest key, changed meanwhile; every table.
        totals = {model._meta.db_table: [0, 0, 0, 0] for model, _ in encryption.encrypted_columns()}
        try:
            for batch in encryption.rotate_all(batch_size=batch_size):
                counts = totals[batch.table]
                for place, count in enumerate(
                    (batch.rows, batch.rotated, batch.already_newest, batch.changed_meanwhile)
                ):
                    counts[place] += count
                if options["verbosity"] > 1:
                    self.stdout.write(f"{batch.table}: {batch.rotated} re-encrypted in a batch")
        except encryption.NotesKeyError as error:
            self._report(totals)
            raise CommandError(f"{error} Rows re-encrypted so far stay so.") from None
        self._report(totals)
        changed = sum(counts[3] for counts in totals.values())
        if changed:
            raise CommandError(
                f"{changed} rows changed while this ran (what the app wrote is under the newest "
                "key already, but run this again to be sure of every column): keep the old keys "
                "until a run ends without this message."
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Every encrypted value is under the newest key: the older keys may now be "
                "removed from NOTES_KEYS."
            )
        )

    def _report(self, totals: dict[str, list[int]]) -> None:
        for table, (rows, rotated, newest, changed) in totals.items():
            line = f"{table}: {rows} rows, {rotated} re-encrypted, {newest} already under it"
            self.stdout.write(line + (f", {changed} changed meanwhile" if changed else ""))
