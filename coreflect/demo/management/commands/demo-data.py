"""`coreflect demo-data`: replace the database's contents with the demo organisation.

It refuses in production, or where the database holds records it did not make, unless given
--force (coreflect/demo/guard.py). Django finds commands by file name, so the hyphenated name
works with `call_command`.
"""

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from coreflect.demo import build, guard


class Command(BaseCommand):
    help = (
        "Replace the database's people, sessions and sign-ins with the demo organisation "
        "(superusers are kept) and print a sign-in for each role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Build the demo as if today were this date, YYYY-MM-DD (default: today).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Build it even in production or over records the demo did not make, "
            "which are deleted.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or timezone.localdate()
        refused = "" if options["force"] else guard.refusal()
        if refused:
            raise CommandError(
                f"{refused} Nothing was changed. Run `coreflect demo-data --force` to build the "
                "demo all the same."
            )
        started = time.perf_counter()
        try:
            with transaction.atomic():
                org = build.build(today)
                guard.record(today)
        except build.DemoIncomplete as problem:
            raise CommandError(
                f"The demo as of {today} falls short, so nothing was changed: {problem}"
            ) from problem
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Built the demo organisation as of {today.day} {today:%B %Y} in {seconds:.1f} s: "
            f"{len(org.people)} people, {org.sessions} sessions, "
            f"{org.attendance} attendance records."
        )
        states = ", ".join(
            f"{count} {state.replace('_', ' ')}" for state, count in org.notes.items()
        )
        self.stdout.write(f"Notes of held one-to-ones: {states}.")
        self.stdout.write(f"\nDemo logins (password: {build.PASSWORD})")
        for role, person in org.examples.items():
            username = person.user.username if person.user else "-"
            about = build.describe(person, today)
            suffix = f" ({about})" if about else ""
            self.stdout.write(f"  {role:<20} {username:<14} {person.name}{suffix}")
        self.stdout.write("")
