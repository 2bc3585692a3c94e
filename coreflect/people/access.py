"""Whose records a user may reach. Missing and forbidden both answer 404."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404

from coreflect.authorization import Permission, has_permission, person_of
from coreflect.people.models import Person


def sees_everyone(user: User | AnonymousUser) -> bool:
    """Whether visible_people is everyone (no need to ask the database who is in reach)."""
    return has_permission(user, Permission.VIEW_ALL_PEOPLE)


def visible_people(user: User | AnonymousUser, *, on: dt.date) -> QuerySet[Person]:
    """People whose attendance the user may see: themselves, current supervisees, reports;
    their service for peer leads and co-ordinators; everyone for the head of peer work,
    governance and administrators."""
    if sees_everyone(user):
        return Person.objects.all()
    me = person_of(user)
    if me is None:
        return Person.objects.none()
    from coreflect.supervision.models import RelationshipType, SupervisionRelationship

    supervised = SupervisionRelationship.objects.current(on).filter(
        supervisor=me, type__in=[RelationshipType.PEER_WORK, RelationshipType.LINE_MANAGEMENT]
    )
    reach = Q(pk=me.pk) | Q(line_manager=me) | Q(pk__in=supervised.values("supervisee"))
    if has_permission(user, Permission.VIEW_SERVICE_PEOPLE) and me.service_id is not None:
        reach |= Q(service_id=me.service_id)
    return Person.objects.filter(reach)


def get_person_for(user: User | AnonymousUser, external_id: str, *, on: dt.date) -> Person:
    """The person with this ID if the user may see them, else 404."""
    try:
        return (
            visible_people(user, on=on)
            .select_related("service", "locality")
            .get(external_id=external_id)
        )
    except Person.DoesNotExist:
        raise Http404("No such person") from None
