"""What keeps `coreflect demo-data` from replacing a real organisation.

Building the demo deletes every person, session, service and sign-in but superusers' (build.py).
So without --force it runs only outside production and where everything it would delete is its
own: an empty database, or one whose rows the last build made. Each build records the highest
id in each guarded table (a DemoBuild row). Ids only grow, so a row with a higher id, or any row
at all where no build is recorded, came from somewhere else: the pages, the API or an import.
"""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

from coreflect.demo.models import DemoBuild
from coreflect.imports.models import ImportRun
from coreflect.people.models import Person, Service
from coreflect.supervision.models import Session

# key in DemoBuild.last_ids → (one, many, the rows a build would delete or that show real use)
GUARDED: dict[str, tuple[str, str, Callable[[], models.QuerySet]]] = {
    "people": ("person", "people", Person.objects.all),
    "sessions": ("session", "sessions", Session.objects.all),
    "services": ("service", "services", Service.objects.all),
    "imports": ("import", "imports", ImportRun.objects.all),
    # Superusers survive a build, so theirs are not counted.
    "sign_ins": ("sign-in", "sign-ins", lambda: User.objects.filter(is_superuser=False)),
}


def not_made_by_the_demo() -> dict[str, int]:
    """How many rows of each guarded kind the last demo build did not make (kinds with none
    left out)."""
    last_build = DemoBuild.objects.first()
    last_ids = last_build.last_ids if last_build else {}
    found = {}
    for key, (_one, _many, rows) in GUARDED.items():
        count = rows().filter(pk__gt=last_ids.get(key, 0)).count()
        if count:
            found[key] = count
    return found


def refusal() -> str:
    """Why building the demo here could destroy real records; empty when it cannot."""
    if settings.PRODUCTION:
        return (
            "COREFLECT_ENV is production, and building the demo would replace every person, "
            "session and sign-in with fictional ones."
        )
    found = not_made_by_the_demo()
    if not found:
        return ""
    counts = [
        f"{count} {GUARDED[key][0] if count == 1 else GUARDED[key][1]}"
        for key, count in found.items()
    ]
    listed = counts[0] if len(counts) == 1 else f"{', '.join(counts[:-1])} and {counts[-1]}"
    return (
        f"The database holds {listed} that coreflect demo-data did not make, and building the "
        "demo would delete them."
    )


def record(as_of: dt.date) -> None:
    """Remember what this build made: the highest id in each guarded table."""
    last_ids = {
        key: rows().aggregate(last=models.Max("pk"))["last"] or 0
        for key, (_one, _many, rows) in GUARDED.items()
    }
    DemoBuild.objects.update_or_create(
        pk=1, defaults={"built_at": timezone.now(), "as_of": as_of, "last_ids": last_ids}
    )
