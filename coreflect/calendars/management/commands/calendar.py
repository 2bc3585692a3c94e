import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coreflect.calendars import ics
from coreflect.people.models import Person


class Command(BaseCommand):
    help = (
        "Print a person's sessions (those they lead or are invited to) as iCalendar text, the "
        "same as their calendar feed (docs/calendar.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person_id", help="The person's ID (person_id of the imports).")
        parser.add_argument(
            "--from", dest="start", type=dt.date.fromisoformat, help="First day, YYYY-MM-DD."
        )
        parser.add_argument(
            "--to", dest="end", type=dt.date.fromisoformat, help="Last day, YYYY-MM-DD."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        person = Person.objects.filter(external_id=options["person_id"]).first()
        if person is None:
            raise CommandError(f'There is no person with the ID "{options["person_id"]}".')
        start, end = options["start"], options["end"]
        if start is not None and end is not None and end < start:
            raise CommandError("--to is before --from.")
        sessions = ics.sessions_of(person, start=start, end=end)
        self.stdout.write(ics.feed(person, sessions).decode(), ending="")
