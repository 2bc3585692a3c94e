from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from coreflect.audit.signals import client_address
from coreflect.authorization import person_of
from coreflect.calendars import actions, ics
from coreflect.calendars.models import CalendarSubscription


def subscription(request: HttpRequest) -> HttpResponse:
    """The signed-in person's calendar address: made or regenerated (shown once, now), or
    revoked."""
    me = person_of(request.user)
    if me is None:
        raise Http404("No such page")
    address = ""
    done = ""
    if request.method == "POST":
        by = request.user if request.user.is_authenticated else None
        if request.POST.get("do") == "revoke":
            actions.revoke_address(by=by, person=me)
            done = "Your calendar address no longer works. Make a new one whenever you like."
        else:
            token = actions.make_address(by=by, person=me)
            address = request.build_absolute_uri(reverse("calendars:feed", args=[token]))
    current = CalendarSubscription.objects.filter(person=me).first()
    return render(
        request,
        "calendars/subscription.html",
        {"subscription": current, "address": address, "done": done},
    )


@login_not_required
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's sessions as iCalendar, for calendar programs that subscribe: reached by the
    token alone, 404 for any other."""
    person = actions.person_for_token(token)
    if person is None:
        raise Http404("No such calendar")
    actions.record_fetch(person, client_address(request))
    response = HttpResponse(
        ics.feed(person, ics.sessions_of(person)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="coreflect.ics"'
    return response
