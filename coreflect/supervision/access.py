"""Which sessions and people a user may reach. Missing and forbidden both answer 404."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from coreflect.authorization import Permission, has_permission, person_of
from coreflect.people.access import visible_people
from coreflect.people.models import Person
from coreflect.supervision.models import Session, SupervisionRelationship


def sessions_for(user: User | AnonymousUser, *, on: dt.date) -> QuerySet[Session]:
    """Sessions the user leads, attends, or whose participants they may see."""
    me = person_of(user)
    reach = Q(attendance__person__in=visible_people(user, on=on))
    if me is not None:
        reach |= Q(lead=me)
    return Session.objects.filter(reach).distinct()


def get_session_for(user: User | AnonymousUser, pk: int, *, on: dt.date | None = None) -> Session:
    """A session the user leads, attends, or whose participants they may see (as of today)."""
    reach = sessions_for(user, on=on or timezone.localdate())
    try:
        return reach.select_related("lead").get(pk=pk)
    except Session.DoesNotExist:
        raise Http404("No such session") from None


def get_session_to_edit(user: User | AnonymousUser, pk: int) -> Session:
    """A session the user leads (only the lead changes a session or its register)."""
    me = person_of(user)
    if me is None or not has_permission(user, Permission.RECORD_SESSIONS):
        raise Http404("No such session")
    try:
        return Session.objects.select_related("lead").get(pk=pk, lead=me)
    except Session.DoesNotExist:
        raise Http404("No such session") from None


def recorder(user: User | AnonymousUser) -> Person:
    """The person recording sessions, or 404 for users who may not record any."""
    me = person_of(user)
    if me is None or not has_permission(user, Permission.RECORD_SESSIONS):
        raise Http404("No such page")
    return me


def supervisees_of(me: Person, *, on: dt.date) -> QuerySet[Person]:
    """The people this person currently supervises in peer work."""
    current = SupervisionRelationship.objects.current(on).peer_work().filter(supervisor=me)
    return Person.objects.filter(pk__in=current.values("supervisee"))


def co_reflection_candidates(me: Person) -> QuerySet[Person]:
    """Peer workers who may join a group this person facilitates: their service's."""
    people = Person.objects.peer_workers().exclude(pk=me.pk)
    if me.service_id is not None:
        people = people.filter(service_id=me.service_id)
    return people.select_related("locality").order_by("locality__name", "name")


def may_manage_relationships(user: User | AnonymousUser) -> bool:
    """Administrators and the head of peer work keep who-supervises-whom."""
    return has_permission(user, Permission.CHANGE_POLICY) or has_permission(
        user, Permission.IMPORT_DATA
    )


def get_relationship_to_manage(user: User | AnonymousUser, pk: int) -> SupervisionRelationship:
    if not may_manage_relationships(user):
        raise Http404("No such relationship")
    try:
        return SupervisionRelationship.objects.select_related("supervisee", "supervisor").get(pk=pk)
    except SupervisionRelationship.DoesNotExist:
        raise Http404("No such relationship") from None
