"""A co-reflection's agenda (seed 000 §5.8 and Appendix 5): the template's items with their
time allocations until the facilitator changes them for the session.

The agenda is not note content, but it is the group's own: only the facilitator (the
session's lead) and the members invited (everyone on its register) see it, and only the
facilitator changes it. Everyone else gets nothing on the session page and 404 here.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from coreflect.authorization import person_of
from coreflect.notes import actions
from coreflect.notes.forms_agenda import AgendaFormSet, AgendaVersionForm, BaseAgendaFormSet
from coreflect.people.models import Person
from coreflect.policy.models import PolicySettings
from coreflect.policy.presets import PRESETS
from coreflect.policy.presets import AgendaItem as TemplateItem
from coreflect.supervision.models import Session, SessionKind

STALE_MESSAGE = (
    "This session or its agenda changed since you opened this page. Your changes were not "
    "saved; here is the agenda as it is now."
)


@dataclass(frozen=True)
class Line:
    """One agenda item as shown: with the time it starts, counted from the session's start."""

    title: str
    minutes: int
    description: str
    starts: dt.time


@dataclass(frozen=True)
class Agenda:
    lines: list[Line]
    # True while the session has no agenda of its own (the template's items are shown).
    from_template: bool

    @property
    def total_minutes(self) -> int:
        return sum(line.minutes for line in self.lines)


def template_items() -> tuple[TemplateItem, ...]:
    """The agenda template of the organisation's preset."""
    return PRESETS[PolicySettings.objects.current().preset].co_reflection_agenda


def agenda_of(session: Session) -> Agenda:
    """The session's own agenda if it has one, else the template's."""
    own = list(session.agenda.all())
    items: Sequence[Any] = own or template_items()
    start = dt.datetime.combine(session.date, session.start_time)
    lines = []
    for item in items:
        lines.append(Line(item.title, item.minutes, item.description, start.time()))
        start += dt.timedelta(minutes=item.minutes)
    return Agenda(lines, from_template=not own)


def is_member(person: Person | None, session: Session) -> bool:
    """The facilitator or someone on the co-reflection's register."""
    if person is None or session.kind != SessionKind.CO_REFLECTION:
        return False
    return session.lead_id == person.pk or any(
        a.person_id == person.pk for a in session.attendance.all()
    )


def _facilitated(user: User | AnonymousUser, pk: int) -> Session:
    """A co-reflection this user facilitates, or 404."""
    me = person_of(user)
    if me is None:
        raise Http404("No such agenda")
    try:
        return Session.objects.get(pk=pk, kind=SessionKind.CO_REFLECTION, lead=me)
    except Session.DoesNotExist:
        raise Http404("No such agenda") from None


def _forms(session: Session) -> tuple[AgendaVersionForm, BaseAgendaFormSet]:
    """Unbound forms holding the agenda as it is now."""
    initial = [
        {"title": line.title, "minutes": line.minutes, "description": line.description}
        for line in agenda_of(session).lines
    ]
    return (
        AgendaVersionForm(initial={"version": session.version}),
        cast(BaseAgendaFormSet, AgendaFormSet(initial=initial, prefix="items")),
    )


def agenda_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The facilitator changes the agenda: titles, minutes and descriptions; removes items and
    adds one at a time. The first save copies the template into the session."""
    session = _facilitated(request.user, pk)
    if session.is_cancelled:
        messages.info(request, "This session is cancelled, so its agenda cannot be changed.")
        return redirect("supervision:detail", pk=session.pk)
    stale = False
    if request.method == "POST":
        version_form = AgendaVersionForm(request.POST)
        formset = cast(BaseAgendaFormSet, AgendaFormSet(request.POST, prefix="items"))
        if version_form.is_valid() and formset.is_valid():
            try:
                actions.save_agenda(
                    by=request.user,  # type: ignore[arg-type]
                    session=session,
                    version=version_form.cleaned_data["version"],
                    items=formset.items(),
                )
            except actions.StaleEdit:
                stale = True
                session = _facilitated(request.user, pk)
                version_form, formset = _forms(session)
            else:
                messages.success(request, "Agenda saved.")
                if "another" in request.POST:
                    return redirect("notes:agenda_edit", pk=session.pk)
                return redirect("supervision:detail", pk=session.pk)
    else:
        version_form, formset = _forms(session)
    return render(
        request,
        "notes/agenda_edit.html",
        {
            "session": session,
            "version_form": version_form,
            "formset": formset,
            "from_template": not session.agenda.exists(),
            "stale": STALE_MESSAGE if stale else "",
        },
    )


urlpatterns: list[URLPattern] = [
    path("agenda/<int:pk>/edit/", agenda_edit, name="agenda_edit"),
]
