import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coreflect.imports import actions, rules


class ImportFailed(CommandError, SystemExit):
    """A row had a problem. To callers of call_command() this is both the usual CommandError
    and the SystemExit(1) that the command line gives."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=1)
        self.code = 1


class Command(BaseCommand):
    help = (
        "Import people, employment, supervision, absences, sessions and attendance from the "
        "CSV files in DIR (docs/import-format.md). All or nothing: if any row has a problem, "
        "every problem is printed to stderr as file:line: message, nothing is written and "
        "the exit status is 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, metavar="DIR")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["directory"]
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        if not any((folder / name).is_file() for name in rules.FILES):
            self.stdout.write(f"{folder} holds none of the import files: nothing to import.")
            return
        result = actions.import_folder(by=None, folder=folder)
        if not result.ok:
            # Only the problems go to stderr, one a line, so that they can be read by a
            # program; the exit status says that nothing was imported.
            for error in result.errors:
                self.stderr.write(error, style_func=str)
            message = (
                f"{len(result.errors)} problem{'' if len(result.errors) == 1 else 's'} found. "
                "Nothing was imported."
            )
            self.stdout.write(message)
            if getattr(self, "_called_from_command_line", False):
                sys.exit(1)  # not CommandError, which would add a line to stderr
            raise ImportFailed(message)
        for line in result.summary():
            self.stdout.write(line)
