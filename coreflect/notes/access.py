"""Who may read and write notes (spec §5): the supervisee and the supervisor who held the
session, and no one else — a later supervisor only for notes the supervisee shared with them,
until withdrawn. Missing and forbidden both answer 404; no role reaches further.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from coreflect.authorization import person_of
from coreflect.notes.models import Notes, NotesShare, NotesVersion, VersionKind
from coreflect.notes.rules import Party
from coreflect.people.models import PEER_WORK_ROLES, Person
from coreflect.supervision.access import supervises_anyone
from coreflect.supervision.models import NOT_COMING, Attendance, Session, SessionKind


@dataclass(frozen=True)
class Seat:
    """One reader's place at a one-to-one's notes."""

    session: Session
    supervisee: Person
    me: Person
    # SUPERVISOR or SUPERVISEE for the two; None for a later supervisor reading a share.
    party: Party | None

    @property
    def notes(self) -> Notes | None:
        try:
            return self.session.notes
        except Notes.DoesNotExist:
            return None

    @property
    def is_supervisor(self) -> bool:
        return self.party is Party.SUPERVISOR

    @property
    def is_supervisee(self) -> bool:
        return self.party is Party.SUPERVISEE

    @property
    def held(self) -> bool:
        """The session has taken place and the supervisee was not kept away: notes can be
        written (the register may not be ticked yet)."""
        status = self.session.attendance.all()[0].status
        return (
            not self.session.is_cancelled
            and self.session.date <= timezone.localdate()
            and status not in NOT_COMING
        )


def may_have_notes(user: User | AnonymousUser) -> bool:
    """Whether the Notes pages are for this user: peer-work staff (supervised, and perhaps
    supervising) and anyone who supervises someone in peer work."""
    me = person_of(user)
    if me is None:
        return False
    return me.role in PEER_WORK_ROLES or supervises_anyone(me, on=timezone.localdate())


def one_to_ones_of(me: Person) -> QuerySet[Session]:
    """The one-to-ones this person held or was supervised in."""
    return Session.objects.filter(
        Q(lead=me) | Q(attendance__person=me), kind=SessionKind.ONE_TO_ONE
    ).distinct()


def seat_at(user: User | AnonymousUser, session_pk: int, *, shared_reads: bool = True) -> Seat:
    """The user's seat at this one-to-one's notes, or 404: the supervisor who held it, the
    supervisee, or (for reading only, when shared_reads) a person the supervisee shared the
    notes with."""
    me = person_of(user)
    if me is None:
        raise Http404("No such notes")
    try:
        session = (
            Session.objects.select_related("lead", "notes")
            .prefetch_related("attendance__person")
            .get(pk=session_pk, kind=SessionKind.ONE_TO_ONE)
        )
    except Session.DoesNotExist:
        raise Http404("No such notes") from None
    attendance: list[Attendance] = list(session.attendance.all())
    if not attendance:
        raise Http404("No such notes")
    supervisee = attendance[0].person
    if session.lead_id == me.pk:
        return Seat(session, supervisee, me, Party.SUPERVISOR)
    if supervisee.pk == me.pk:
        return Seat(session, supervisee, me, Party.SUPERVISEE)
    if (
        shared_reads
        and NotesShare.objects.filter(
            notes__session=session, reader=me, withdrawn_at__isnull=True
        ).exists()
    ):
        return Seat(session, supervisee, me, None)
    raise Http404("No such notes")


def seat_of_party(user: User | AnonymousUser, session_pk: int) -> Seat:
    """As seat_at, for the two only (writing, answering, preparing)."""
    return seat_at(user, session_pk, shared_reads=False)


def readable_versions(seat: Seat) -> list[NotesVersion]:
    """The versions this reader may read, oldest first: the supervisor every one; the
    supervisee all but a draft not shared yet; a later supervisor the shared ones."""
    notes = seat.notes
    if notes is None:
        return []
    versions = list(notes.versions.select_related("author", "reflective_model"))
    if seat.is_supervisor:
        return versions
    if seat.is_supervisee:
        return [v for v in versions if v.kind != VersionKind.DRAFT]
    return [v for v in versions if v.kind == VersionKind.SHARED]


def notes_readable_by(me: Person) -> QuerySet[Notes]:
    """Every set of notes this person may open: of one-to-ones they held or were supervised
    in, and those shared with them (not withdrawn)."""
    return Notes.objects.filter(
        Q(session__lead=me)
        | Q(session__attendance__person=me)
        | Q(shares__reader=me, shares__withdrawn_at__isnull=True)
    ).distinct()
