import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from coreflect.compliance import exports, matrix, rules
from coreflect.compliance.models import current_policy
from coreflect.people.models import Person


class Command(BaseCommand):
    help = "Print the attendance matrix for a recording year as JSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year",
            type=int,
            required=True,
            help="The year the recording year starts in (2025 means 2025/26).",
        )
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="Count sessions up to this date, YYYY-MM-DD (default: today).",
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1900 <= options["year"] <= 9999:
            raise CommandError("--year must be a four-digit year, e.g. --year 2025")
        as_of = options["as_of"] or timezone.localdate()
        policy = current_policy()
        rows = matrix.build(
            Person.objects.all(), start_year=options["year"], as_of=as_of, policy=policy
        )
        if options["format"] == "json":
            year = rules.recording_year(options["year"], policy)
            self.stdout.write(json.dumps(matrix.as_json(rows, year=year, as_of=as_of), indent=2))
        else:
            for line in exports.csv_lines(matrix.as_table(rows)):
                self.stdout.write(line, ending="")
