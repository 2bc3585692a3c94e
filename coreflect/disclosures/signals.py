"""The notice of new disclosures, counted once when a person signs in (seed 000 §5.10: the
worker is told). The count rides in the session, so pages add no query for it; opening the
Disclosures page clears it."""

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from coreflect.authorization import person_of
from coreflect.disclosures.models import Disclosure

SESSION_KEY = "new_disclosures"


@receiver(user_logged_in, dispatch_uid="disclosures_notice")
def count_new_disclosures(sender: Any, request: HttpRequest | None, user: User, **_: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    me = person_of(user)
    new = Disclosure.objects.filter(supervisee=me, seen_at__isnull=True).count() if me else 0
    if new:
        request.session[SESSION_KEY] = new
    else:
        request.session.pop(SESSION_KEY, None)
