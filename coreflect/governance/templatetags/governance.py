"""The escalation route section of a person's page (compliance/person.html), which sits in a
layer below this app: the template asks for it by name, the code is here."""

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from coreflect.authorization import person_of
from coreflect.governance import access
from coreflect.people.models import Person
from coreflect.policy.models import PolicySettings

register = template.Library()


@register.inclusion_tag("governance/_route.html", takes_context=True)
def escalation_route(context: dict[str, Any], person: Person, on: dt.date | None = None) -> dict:
    """ "If supervision is not working": the person's route on the day, with names, for the
    person and the head of peer work; nothing for anyone else."""
    request = context["request"]
    if not access.may_see_route(request.user, person):
        return {"shown": False}
    day = on or timezone.localdate()
    me = person_of(request.user)
    return {
        "shown": True,
        "person": person,
        "is_me": me is not None and me.pk == person.pk,
        "on": day,
        "today": timezone.localdate(),
        "route": access.route_steps(person, on=day),
        "policy": PolicySettings.objects.current(),
    }
