import datetime as dt
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.models import User
from django.utils import timezone

from coreflect.people.models import EmploymentPeriod, Person, Placement
from coreflect.signin import rules


def has_left(user: Any, today: dt.date | None = None) -> bool:
    """Whether the user's person has left (coreflect/signin/rules.py says when)."""
    person = Person.objects.filter(user_id=user.pk).only("pk", "role").first()
    if person is None:
        return False  # an account with no person (a superuser): nothing says they left
    return rules.has_left(
        EmploymentPeriod.objects.filter(person=person).values_list("start_date", "end_date"),
        Placement.objects.filter(person=person).values_list("start_date", "end_date"),
        in_peer_work=person.is_peer_worker,
        today=today or timezone.localdate(),
    )


class AuthenticationBackend(AllauthBackend):
    """allauth's (an email address or a username with a password), refusing anyone who has
    left: a leaver's account stops working the day after their last day, with no job to run."""

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and not has_left(user)

    def get_user(self, user_id: Any) -> Any:
        """The signed-in user of a request, if still active. Whether they have left since is
        asked once a day, not on every request (coreflect/signin/middleware.py), which also
        ends the session and records why."""
        user = User._default_manager.filter(pk=user_id).first()
        return user if user is not None and super().user_can_authenticate(user) else None
