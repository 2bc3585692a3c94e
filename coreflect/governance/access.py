"""Who may see an escalation route, and which concerns a user may read. Missing and forbidden
both answer 404: that a concern exists is itself confidential."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from coreflect.authorization import Permission, has_permission, person_of
from coreflect.governance import rules, structure
from coreflect.governance.models import Concern
from coreflect.people.models import Person


@dataclass(frozen=True)
class RouteStep:
    """A step of a route with the people on it, for a page."""

    step: rules.Step
    people: tuple[Person, ...]


def may_see_route(user: User | AnonymousUser, person: Person) -> bool:
    """Everyone sees their own route; the head of peer work sees anyone's (on a page they may
    open at all)."""
    me = person_of(user)
    return (me is not None and me.pk == person.pk) or has_permission(
        user, Permission.VIEW_ANY_ESCALATION_ROUTE
    )


def route_steps(person: Person, *, on: dt.date) -> list[RouteStep]:
    """The person's route on the day with the people on each step (their names in one query)."""
    steps = structure.route_of(person, on)
    named = Person.objects.in_bulk({pk for s in steps for pk in s.people})
    return [
        RouteStep(s, tuple(sorted((named[pk] for pk in s.people), key=lambda p: p.name)))
        for s in steps
    ]


def may_view_counts(user: User | AnonymousUser) -> bool:
    return has_permission(user, Permission.VIEW_CONCERN_COUNTS)


def may_have_concerns(user: User | AnonymousUser, *, on: dt.date) -> bool:
    """Whether the Concerns page is for this user: someone in peer work (who has a route), or
    anyone a concern has been raised with."""
    me = person_of(user)
    if me is None:
        return False
    return me.is_peer_worker or Concern.objects.filter(raised_with=me).exists()


def get_concern_for(user: User | AnonymousUser, pk: int) -> Concern:
    """A concern the user raised or had raised with them, else 404."""
    me = person_of(user)
    if me is None:
        raise Http404("No such concern")
    try:
        return (
            Concern.objects.involving(me)
            .select_related("person", "raised_with", "service")
            .get(pk=pk)
        )
    except Concern.DoesNotExist:
        raise Http404("No such concern") from None


def get_concern_to_conclude(user: User | AnonymousUser, pk: int) -> Concern:
    """A concern the user raised (only they record its outcome), else 404."""
    concern = get_concern_for(user, pk)
    me = person_of(user)
    if me is None or concern.person_id != me.pk:
        raise Http404("No such concern")
    return concern
