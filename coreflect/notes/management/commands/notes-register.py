"""`coreflect notes-register`: the notes register (audit KPI 1) as JSON or CSV.

For every held one-to-one, the state of its notes on the day, the deadlines and the dates
they were met — never what the notes say. docs/notes.md, "The notes register", is the
contract. The rows are written as they are read, so a national register is never one string
in memory.
"""

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from coreflect.compliance import exports
from coreflect.notes import register
from coreflect.people.models import Person, Service
from coreflect.policy.models import PolicySettings


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-01-10"
        ) from None


class Command(BaseCommand):
    help = (
        "Print the notes register: every held one-to-one with the state of its notes, their "
        "deadlines and whether anything is overdue (never what the notes say)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=iso_date,
            default=None,
            help="The register as it stood at the end of this day, YYYY-MM-DD (default: today).",
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--service",
            default=None,
            help="Only one-to-ones whose supervisee is in this service (its name).",
        )
        parser.add_argument(
            "--supervisor",
            default=None,
            help="Only one-to-ones this supervisor held (their person ID).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: dt.date = options["as_of"] or timezone.localdate()
        sessions = register.held_one_to_ones(as_of)
        if options["service"] is not None:
            service = Service.objects.filter(name=options["service"]).first()
            if service is None:
                names = ", ".join(Service.objects.values_list("name", flat=True)) or "none yet"
                raise CommandError(
                    f'No service is called "{options["service"]}" (the services are: {names}).'
                )
            sessions = register.of_service(sessions, service)
        if options["supervisor"] is not None:
            supervisor = Person.objects.filter(external_id=options["supervisor"]).first()
            if supervisor is None:
                raise CommandError(f'No person has the ID "{options["supervisor"]}".')
            sessions = sessions.filter(lead=supervisor)
        deadlines = register.Deadlines.of(PolicySettings.objects.current())
        lines = register.lines(sessions, as_of=as_of, deadlines=deadlines)
        if options["format"] == "json":
            chunks = register.json_chunks(lines, as_of=as_of)
        else:
            chunks = exports.csv_lines(register.csv_table(lines))
        for chunk in chunks:
            self.stdout.write(chunk, ending="")
