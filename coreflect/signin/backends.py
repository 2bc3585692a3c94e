import datetime as dt
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.models import User
from django.utils import timezone

from coreflect.people.models import EmploymentPeriod
from coreflect.signin import rules


def has_left(user: Any, today: dt.date | None = None) -> bool:
    """Whether the user's person has left (every employment period ended before today)."""
    periods = EmploymentPeriod.objects.filter(person__user_id=user.pk).values_list(
        "start_date", "end_date"
    )
    return rules.has_left(periods, today or timezone.localdate())


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
