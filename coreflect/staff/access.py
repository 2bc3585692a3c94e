"""Who may add and change people, and grant roles. These pages are for the head of peer work and
administrators (MANAGE_PEOPLE); to anyone else they do not exist (404).

A person who holds a privileged role (the administrator, governance and head of peer work roles),
or whose sign-in is a superuser's or staff member's, is changed only as a role is granted: by an
administrator who used a second factor in the last minutes (signin.state.RECENT_MINUTES).
Otherwise the head of peer work could change an administrator's email address, and with it
where that account's messages go.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404, HttpRequest

from coreflect.authorization import Permission, has_permission, person_of
from coreflect.people.models import PRIVILEGED_ROLES, Person, Role
from coreflect.signin import state


def may_manage_people(user: User | AnonymousUser) -> bool:
    return has_permission(user, Permission.MANAGE_PEOPLE)


def may_grant_roles(user: User | AnonymousUser) -> bool:
    """An administrator: the role carries the permission and the user's own person holds it
    (a superuser with no person record runs the system, but grants no roles)."""
    me = person_of(user)
    return me is not None and me.role == Role.ADMIN and has_permission(user, Permission.GRANT_ROLES)


def is_privileged(person: Person) -> bool:
    """Whether this person's record is changed only as a role is granted."""
    account = person.user
    return person.role in PRIVILEGED_ROLES or (
        account is not None and (account.is_superuser or account.is_staff)
    )


def get_person_to_manage(user: User | AnonymousUser, pk: int) -> Person:
    """A person, for someone who may manage people; 404 for anyone else."""
    if not may_manage_people(user):
        raise Http404("No such person")
    try:
        return Person.objects.select_related("service", "locality", "line_manager", "user").get(
            pk=pk
        )
    except Person.DoesNotExist:
        raise Http404("No such person") from None


@dataclass(frozen=True)
class Right:
    """What the user may do to one person's record now."""

    # They may change it at all (for a privileged record: they are an administrator).
    may_change: bool
    # They may, but must first use a second factor again: the forms are not offered.
    needs_second_factor: bool

    @property
    def may_write(self) -> bool:
        return self.may_change and not self.needs_second_factor


def recent_second_factor(request: HttpRequest) -> bool:
    return state.used_second_factor(request, within_minutes=state.RECENT_MINUTES)


def right_over(request: HttpRequest, person: Person) -> Right:
    """How far the signed-in user (who may manage people) may change this person's record."""
    if not is_privileged(person):
        return Right(may_change=True, needs_second_factor=False)
    if not may_grant_roles(request.user):
        return Right(may_change=False, needs_second_factor=False)
    return Right(may_change=True, needs_second_factor=not recent_second_factor(request))


def grant_right(request: HttpRequest, person: Person) -> Right:
    """The role page's: administrators only (404 for anyone else), after a recent second
    factor, and never for their own role (another administrator changes it, so there is
    always one left)."""
    if not may_grant_roles(request.user):
        raise Http404("No such page")
    me = person_of(request.user)
    own = me is not None and me.pk == person.pk
    return Right(may_change=not own, needs_second_factor=not recent_second_factor(request))
