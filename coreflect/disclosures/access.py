"""Who reaches disclosures (spec §5): the worker they are about and the supervisor who made
them; the head of peer work and governance see counts only. Everyone else gets 404, and no
role reaches further: a later supervisor, a line manager or an administrator sees nothing.
"""

import datetime as dt

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from coreflect.authorization import Permission, has_permission, person_of
from coreflect.disclosures.models import Disclosure
from coreflect.people.models import PEER_WORK_ROLES, Person
from coreflect.supervision.models import SupervisionRelationship

# How far back a supervisor may date a disclosure about someone they no longer supervise.
RECENT_DAYS = 365


def about_me(me: Person) -> QuerySet[Disclosure]:
    return Disclosure.objects.filter(supervisee=me).select_related("supervisor")


def made_by(me: Person) -> QuerySet[Disclosure]:
    return Disclosure.objects.filter(supervisor=me).select_related("supervisee")


def may_be_disclosed_about(me: Person) -> bool:
    """Peer-work staff (whom a peer work supervisor may share about), and anyone something
    has been shared about."""
    return me.role in PEER_WORK_ROLES or about_me(me).exists()


def may_record(me: Person, *, today: dt.date) -> bool:
    """Whether this person supervises anyone in peer work now, or did within RECENT_DAYS."""
    return supervisees_to_record(me, today=today).exists()


def may_open_disclosures(user: User | AnonymousUser, *, today: dt.date) -> bool:
    """Whether the Disclosures page has anything for this user."""
    me = person_of(user)
    if me is None:
        return False
    return may_be_disclosed_about(me) or may_record(me, today=today) or made_by(me).exists()


def may_view_counts(user: User | AnonymousUser) -> bool:
    return has_permission(user, Permission.VIEW_DISCLOSURE_COUNTS)


def supervisees_to_record(me: Person, *, today: dt.date) -> QuerySet[Person]:
    """The people this person supervises in peer work today or did in the last RECENT_DAYS:
    whom a disclosure may be recorded about (on a date when the relationship held)."""
    since = today - dt.timedelta(days=RECENT_DAYS)
    held = (
        SupervisionRelationship.objects.peer_work()
        .filter(supervisor=me, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
    )
    return Person.objects.filter(pk__in=held.values("supervisee")).order_by("name", "pk")


def supervised_on(supervisor: Person, supervisee: Person, day: dt.date) -> bool:
    """Reach follows relationships on the date in question: a peer work supervision held
    that day."""
    return (
        SupervisionRelationship.objects.current(day)
        .peer_work()
        .filter(supervisor=supervisor, supervisee=supervisee)
        .exists()
    )
