import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coreflect.governance import rules, structure
from coreflect.people.models import Person


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--as-of must be a date as YYYY-MM-DD, e.g. 2026-01-10, not {value!r}"
        ) from None


def routes_json(as_of: dt.date, *, person: str | None = None) -> dict[str, Any]:
    """Everyone's route on the day (or one person's), as docs/governance.md describes."""
    org = structure.load(as_of)
    if person is not None:
        found = Person.objects.filter(external_id=person).values_list("pk", flat=True).first()
        if found is None:
            raise CommandError(f"No person has the ID {person!r}")
        member = org.members.get(found)
        if member is None or not member.in_peer_work:
            raise CommandError(
                f"{person} is not employed in a peer-work role on {as_of.isoformat()}, so has "
                "no escalation route on that day"
            )
        pks = [found]
    else:
        pks = [m.pk for m in org.members.values() if m.in_peer_work]
    routes = {pk: rules.route(pk, org) for pk in pks}
    named = {pk for steps in routes.values() for step in steps for pk in step.people}
    ids = dict(
        Person.objects.filter(pk__in=named | set(pks)).values_list("pk", "external_id")
        if person is not None
        else Person.objects.values_list("pk", "external_id")
    )
    return {
        "as_of": as_of.isoformat(),
        "routes": sorted(
            (
                {
                    "person_id": ids[pk],
                    "steps": [
                        {
                            "step": step.number,
                            "role": step.role.value,
                            "people": sorted(ids[p] for p in step.people),
                        }
                        for step in steps
                    ],
                }
                for pk, steps in routes.items()
            ),
            key=lambda r: r["person_id"],
        ),
    }


class Command(BaseCommand):
    help = (
        "Print the escalation route of every peer worker employed on a date (or of one) as "
        "JSON (docs/governance.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", required=True, help="The date the structure is read on, YYYY-MM-DD."
        )
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument(
            "--person", metavar="PERSON_ID", help="Only this person's route (their person ID)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = iso_date(options["as_of"])
        self.stdout.write(json.dumps(routes_json(as_of, person=options["person"]), indent=2))
