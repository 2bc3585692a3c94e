"""iCalendar text of sessions (RFC 5545): a person's feed, and one session's iTIP invitation or
cancellation (RFC 5546) for the emails to come. Times are Europe/London with its VTIMEZONE, so
calendars keep the clock changes right. Each session keeps one UID for life and its version is
the SEQUENCE, so a calendar replaces what it holds when a session moves or is cancelled; a
cancelled session stays, STATUS:CANCELLED.

Nothing from notes goes into a calendar: a title, the time, where, and whether it is on.
"""

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from coreflect.people.models import Person
from coreflect.supervision.models import Attendance, Modality, Session, SessionKind

PRODID = "-//Coreflect//Supervision sessions//EN"


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def sessions_of(
    person: Person, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Session]:
    """The sessions a person leads or is on the register of, with what their events need, in a
    fixed number of queries however many there are."""
    sessions = Session.objects.filter(
        Q(lead=person) | Q(pk__in=Attendance.objects.filter(person=person).values("session"))
    )
    if start is not None:
        sessions = sessions.filter(date__gte=start)
    if end is not None:
        sessions = sessions.filter(date__lte=end)
    return (
        sessions.select_related("lead", "series")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.filter(
                    session__kind=SessionKind.ONE_TO_ONE
                ).select_related("person"),
            )
        )
        .order_by("date", "start_time", "pk")
    )


def summary(session: Session, person: Person) -> str:
    """The event's title for this person: a one-to-one names the other of the two."""
    if session.kind == SessionKind.ONE_TO_ONE:
        if session.lead_id != person.pk:
            return f"One-to-one supervision with {session.lead.name}"
        others = [a.person.name for a in session.attendance.all()]
        return "One-to-one supervision" + (f" with {others[0]}" if others else "")
    series = session.series
    return "Co-reflection" + (f": {series.name}" if series is not None and series.name else "")


def where(session: Session) -> str:
    if session.modality == Modality.IN_PERSON:
        return session.location
    label = "Video call" if session.modality == Modality.VIDEO else "Phone call"
    return f"{label}: {session.location}" if session.location else label


def event(session: Session, person: Person, *, stamp: dt.datetime) -> Event:
    """One VEVENT for a session as this person's calendar holds it."""
    start = dt.datetime.combine(session.date, session.start_time, tzinfo=zone())
    item = Event()
    item.add("uid", f"{session.uid}@coreflect")
    item.add("dtstamp", stamp)
    item.add("dtstart", start)
    item.add("duration", dt.timedelta(minutes=session.duration_minutes))
    item.add("sequence", session.version)
    item.add("summary", summary(session, person))
    item.add("location", where(session))
    item.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    return item


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method is not None:
        calendar.add("method", method)
    return calendar


def feed(person: Person, sessions: Iterable[Session]) -> bytes:
    """A person's calendar of sessions (from sessions_of)."""
    calendar = _calendar()
    calendar.add("x-wr-calname", "Supervision (Coreflect)")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for session in sessions:
        calendar.add_component(event(session, person, stamp=stamp))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def itip(session: Session, *, method: str, attendee: Person) -> Calendar:
    """A single-event iTIP message for one session to one attendee: METHOD:REQUEST to invite
    or update, METHOD:CANCEL to cancel; the same UID and SEQUENCE as the feed's event."""
    if method not in {"REQUEST", "CANCEL"}:
        raise ValueError(f"method must be REQUEST or CANCEL, not {method}")
    calendar = _calendar(method)
    item = event(session, attendee, stamp=timezone.now())
    if method == "CANCEL":
        item["status"] = "CANCELLED"
    organizer = vCalAddress(f"mailto:{session.lead.email}")
    organizer.params["cn"] = session.lead.name
    item.add("organizer", organizer)
    invited = vCalAddress(f"mailto:{attendee.email}")
    invited.params["cn"] = attendee.name
    invited.params["role"] = "REQ-PARTICIPANT"
    invited.params["partstat"] = "NEEDS-ACTION"
    invited.params["rsvp"] = "TRUE"
    item.add("attendee", invited)
    calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar
