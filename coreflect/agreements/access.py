"""Who may read and write which relationship's agreement (seed 000 §5.11, spec §5): the two
who made it; the supervisee's line manager and the head of peer work read it ("available to
managers on request"); nobody else, not even those who see the person's attendance. Missing
and forbidden both answer 404. An agreement is not notes: none of these readers gets any note
through it.
"""

import datetime as dt

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q
from django.http import Http404

from coreflect.authorization import Permission, has_permission, person_of
from coreflect.people.models import Person, Role
from coreflect.supervision.models import (
    RelationshipQuerySet,
    RelationshipType,
    SupervisionRelationship,
)


def _managed_by(me: Person, on: dt.date) -> Q:
    """Supervisees whose line manager I am on the day (their record, or a current
    line-management relationship)."""
    managing = SupervisionRelationship.objects.current(on).filter(
        supervisor=me, type=RelationshipType.LINE_MANAGEMENT
    )
    return Q(supervisee__line_manager=me) | Q(supervisee__in=managing.values("supervisee"))


def readable(user: User | AnonymousUser, *, on: dt.date) -> RelationshipQuerySet:
    """Peer work relationships whose agreement the user may read."""
    relationships = SupervisionRelationship.objects.peer_work()
    if has_permission(user, Permission.READ_AGREEMENTS):
        return relationships
    me = person_of(user)
    if me is None:
        return relationships.none()
    return relationships.filter(Q(supervisee=me) | Q(supervisor=me) | _managed_by(me, on))


def may_have_agreements(user: User | AnonymousUser) -> bool:
    """Whether the navigation offers the agreements list: to the roles that may read one
    (peer workers, who supervise or are supervised; line managers; the head of peer work).
    The list itself shows only the agreements readable() gives."""
    if has_permission(user, Permission.READ_AGREEMENTS):
        return True
    me = person_of(user)
    return me is not None and (
        me.is_peer_worker or me.role in (Role.LINE_MANAGER, Role.EXECUTIVE_DIRECTOR)
    )


def get_relationship_for(
    user: User | AnonymousUser, pk: int, *, on: dt.date
) -> SupervisionRelationship:
    """The peer work relationship if the user may read its agreement, else 404."""
    try:
        return (
            readable(user, on=on)
            .select_related("supervisee", "supervisor", "supervisee__line_manager")
            .get(pk=pk)
        )
    except SupervisionRelationship.DoesNotExist:
        raise Http404("No such agreement") from None


def side_of(user: User | AnonymousUser, relationship: SupervisionRelationship) -> str | None:
    """ "supervisee" or "supervisor" for the two who make the agreement, else None."""
    me = person_of(user)
    if me is None:
        return None
    if me.pk == relationship.supervisee_id:
        return "supervisee"
    if me.pk == relationship.supervisor_id:
        return "supervisor"
    return None


def may_write(
    user: User | AnonymousUser, relationship: SupervisionRelationship, *, on: dt.date
) -> bool:
    """The two write, sign and ask for a review while the relationship is in force."""
    in_force = relationship.start_date <= on and (
        relationship.end_date is None or relationship.end_date >= on
    )
    return in_force and side_of(user, relationship) is not None
