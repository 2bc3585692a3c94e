from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coreflect.imports import actions


class Command(BaseCommand):
    help = (
        "Import people, employment, supervision, absences, sessions and attendance from the "
        "CSV files in DIR. All or nothing: every problem is listed as file:line: message."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, metavar="DIR")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["directory"]
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        files = actions.read_folder(folder)
        if not files:
            raise CommandError(f"{folder} holds none of the import files")
        result = actions.import_files(by=None, files=files)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{len(result.errors)} problem{'s' if len(result.errors) != 1 else ''} found; "
                "nothing was imported."
            )
        for line in result.summary():
            self.stdout.write(line)
