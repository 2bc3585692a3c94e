"""Searching the audit log (issue 10, point 7): by person, actor, action and date range,
newest first, a page at a time by id (no count of millions of rows).

What a disclosure's entry says is withheld here: who it was about and on what ground are for
the worker and the supervisor who recorded it (docs/confidentiality.md); the log shows that
one was recorded, by whom and when. The access records of notes are not in the audit log at all
(only the supervisee sees them).
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from coreflect.audit.models import AuditEvent
from coreflect.people.models import Absence, EmploymentPeriod, Person
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship

PAGE_SIZE = 100
# People a name matches, at most: a search by person is for one person.
PEOPLE_MATCHED = 20
WITHHELD_PREFIXES = ("disclosure.",)
WITHHELD = "Withheld: a disclosure's details are for the worker and the supervisor only."


@dataclass(frozen=True)
class Filters:
    person: str = ""
    actor: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _ids(model: type[Model], where: Q) -> Iterable[int]:
    return model._default_manager.filter(where).order_by().values_list("pk", flat=True)


def _records(model: type[Model], ids: Iterable[int]) -> Q:
    """The entries about these rows of `model`."""
    return Q(object_type=model._meta.label_lower, object_id__in=[str(pk) for pk in ids])


def about(person_pks: list[int], user_ids: list[int]) -> Q:
    """The entries about these people: their person record and sign-in, and the records that
    are theirs, which imports and pages change row by row (employment, absences, supervision
    either side, the sessions they lead or are on the register of, their places on
    registers). A query or two a kind of record, each by its person index (a join of sessions
    to registers with OR between them would read both tables whole), then the log's index on
    the record."""
    places = list(
        Attendance.objects.filter(person__in=person_pks).order_by().values_list("pk", "session_id")
    )
    sessions = {session for _, session in places}
    sessions.update(_ids(Session, Q(lead__in=person_pks)))
    return (
        Q(object_type="people.person", object_id__in=[str(pk) for pk in person_pks])
        | Q(object_type="auth.user", object_id__in=[str(u) for u in user_ids])
        | _records(EmploymentPeriod, _ids(EmploymentPeriod, Q(person__in=person_pks)))
        | _records(Absence, _ids(Absence, Q(person__in=person_pks)))
        | _records(
            SupervisionRelationship,
            _ids(
                SupervisionRelationship,
                Q(supervisee__in=person_pks) | Q(supervisor__in=person_pks),
            ),
        )
        | _records(Session, sorted(sessions))
        | _records(Attendance, [pk for pk, _ in places])
    )


def matching(filters: Filters) -> QuerySet[AuditEvent]:
    """The entries that match, newest first."""
    events = AuditEvent.objects.all()
    if filters.person:
        people = list(
            Person.objects.filter(
                Q(external_id__iexact=filters.person) | Q(name__icontains=filters.person)
            ).values_list("pk", "user_id")[:PEOPLE_MATCHED]
        )
        person_pks = [pk for pk, _ in people]
        user_ids = [user for _, user in people if user is not None]
        events = events.filter(Q(actor_id__in=user_ids) | about(person_pks, user_ids))
    if filters.actor:
        # Found among the sign-ins (a small table), then by the log's actor index: a search
        # of millions of copied names would read the whole log.
        actors = User.objects.filter(
            Q(username__iexact=filters.actor) | Q(person__name__icontains=filters.actor)
        ).values_list("pk", flat=True)[:PEOPLE_MATCHED]
        events = events.filter(actor_id__in=list(actors))
    if filters.action:
        action = filters.action.rstrip(".")
        events = events.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if filters.date_from:
        events = events.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        events = events.filter(at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    return events.order_by("-pk")


def page(filters: Filters, before: int | None) -> tuple[list[AuditEvent], int | None]:
    """One page of entries older than `before` (an id), and the id to go on from, if any."""
    events = matching(filters)
    if before is not None:
        events = events.filter(pk__lt=before)
    rows = list(events[: PAGE_SIZE + 1])
    more = rows[PAGE_SIZE].pk + 1 if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], more


def is_withheld(event: AuditEvent) -> bool:
    return event.action.startswith(WITHHELD_PREFIXES)


def shown_detail(event: AuditEvent) -> str:
    """The entry's detail as the log shows it: key=value pairs, or the withheld notice."""
    if is_withheld(event):
        return WITHHELD
    return "; ".join(f"{key}={_value(value)}" for key, value in sorted(event.detail.items()))


def shown_object(event: AuditEvent) -> str:
    if is_withheld(event) or not event.object_type:
        return ""
    return f"{event.object_type} {event.object_id}"


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


CSV_HEADER = ["id", "at", "actor_username", "actor_name", "action", "object", "detail"]


def csv_rows(filters: Filters) -> Iterator[list[str | int]]:
    """Every matching entry, newest first, for the CSV download (read in chunks)."""
    yield list(CSV_HEADER)
    for event in matching(filters).iterator(chunk_size=2000):
        yield [
            event.pk,
            timezone.localtime(event.at).isoformat(timespec="seconds"),
            event.actor_username,
            event.actor_name,
            event.action,
            shown_object(event),
            shown_detail(event),
        ]
