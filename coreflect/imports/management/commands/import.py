import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coreflect.audit.actions import os_user
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
        "the problems are printed to stderr as file:line: message, nothing is written and "
        "the exit status is 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, metavar="DIR")
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="the Coreflect user running the import, for the audit log (by default the "
            "audit log records the operating-system user)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["directory"]
        by = None
        if options["by"] is not None:
            by = User.objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f'There is no Coreflect user called "{options["by"]}".')
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        sizes = actions.folder_sizes(folder)
        if not sizes:
            self.stdout.write(f"{folder} holds none of the import files: nothing to import.")
            return
        if message := rules.too_big(sizes, settings.IMPORT_MAX_UPLOAD_BYTES):
            raise CommandError(f"{message} (IMPORT_MAX_UPLOAD_BYTES sets the limit.)")
        # Someone with the server's shell may give the privileged roles, which the upload
        # page refuses; each grant is on the audit log with their operating-system user.
        result = actions.import_folder(
            by=by,
            folder=folder,
            detail={"via": "command", "os_user": os_user()},
            grant_privileged=True,
        )
        if not result.ok:
            # Only the problems go to stderr, one a line, so that they can be read by a
            # program; the exit status says that nothing was imported.
            for error in result.errors:
                self.stderr.write(error, style_func=str)
            if result.more_errors:
                self.stderr.write(rules.more_problems(result.more_errors), style_func=str)
            count = result.error_count
            message = f"{count:,} problem{'' if count == 1 else 's'} found. Nothing was imported."
            self.stdout.write(message)
            if getattr(self, "_called_from_command_line", False):
                sys.exit(1)  # not CommandError, which would add a line to stderr
            raise ImportFailed(message)
        for line in result.summary():
            self.stdout.write(line)
