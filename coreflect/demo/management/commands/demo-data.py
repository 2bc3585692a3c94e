import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from coreflect.demo import build


class Command(BaseCommand):
    help = "Replace the database's contents with the demo organisation and print its sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Build the demo as if today were this date, YYYY-MM-DD (default: today).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or timezone.localdate()
        org = build.build(today)
        missing = build.statuses_possible(today) - build.statuses_shown(today)
        if missing:
            raise CommandError(
                f"The demo does not show every status as of {today}: missing {sorted(missing)}"
            )
        self.stdout.write(
            f"Built the demo organisation as of {today:%d %B %Y}: {len(org.people)} people."
        )
        self.stdout.write(f"\nDemo sign-ins (password for all: {build.PASSWORD})\n")
        for role, person in org.examples.items():
            username = person.user.username if person.user else "-"
            self.stdout.write(f"  {role:<22} {username:<18} {person.name}{_about(person)}")
        self.stdout.write("")


def _about(person: Any) -> str:
    supervisees = person.supervisees.filter(type="peer_work").count()
    reports = person.reports.count()
    parts = []
    if supervisees:
        parts.append(f"supervises {supervisees}")
    if reports:
        parts.append(f"line manages {reports}")
    if person.is_peer_worker and not supervisees:
        parts.append("see their attendance at /me/")
    return f" ({', '.join(parts)})" if parts else ""
