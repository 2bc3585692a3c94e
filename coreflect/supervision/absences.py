"""Recording an absence (issue 10, point 5): a line manager for the people they manage, a
supervisor for the people they supervise, on the day (reach follows relationships). The
matrix takes it at once: the compliance results are kept against the people's revisions,
which the absence table's triggers move on (compliance/revisions.py)."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coreflect.audit.actions import record
from coreflect.authorization import person_of
from coreflect.forms import NHSFormMixin
from coreflect.people.models import Absence, AbsenceType, Person
from coreflect.supervision.access import reports_of, supervisees_of
from coreflect.supervision.forms import PersonChoiceField, date_input


def recordable_people(me: Person, *, on: dt.date) -> QuerySet[Person]:
    """Whose absences this person records: the people they line manage or supervise."""
    return Person.objects.filter(
        Q(pk__in=supervisees_of(me, on=on).values("pk"))
        | Q(pk__in=reports_of(me, on=on).values("pk"))
    ).order_by("name")


def may_record_absence_of(me: Person | None, person: Person, *, on: dt.date) -> bool:
    return me is not None and recordable_people(me, on=on).filter(pk=person.pk).exists()


class AbsenceRefused(Exception):
    pass


class StaleAbsence(Exception):
    """The absence changed since the form was opened; nothing was written."""


def _overlap(person: Person, start: dt.date, end: dt.date, *, besides: int | None = None) -> None:
    others = Absence.objects.select_for_update().filter(
        person=person, start_date__lte=end, end_date__gte=start
    )
    clash = (others.exclude(pk=besides) if besides is not None else others).first()
    if clash is not None:
        raise AbsenceRefused(
            f"{person.name} already has {clash.get_type_display().lower()} recorded from "
            f"{clash.start_date:%-d %B %Y} to {clash.end_date:%-d %B %Y}, which this overlaps"
        )


def _as_opened(absence: Absence) -> str:
    """What the edit form carries to show what it was opened on (a stale edit is refused)."""
    return f"{absence.type}|{absence.start_date.isoformat()}|{absence.end_date.isoformat()}"


@transaction.atomic
def change_absence(
    *,
    by: User,
    absence: Absence,
    opened: str,
    type: str,
    start_date: dt.date,
    end_date: dt.date,
) -> Absence:
    current = Absence.objects.select_for_update().get(pk=absence.pk)
    if _as_opened(current) != opened:
        raise StaleAbsence
    _overlap(current.person, start_date, end_date, besides=current.pk)
    before = {
        "type": current.type,
        "start": current.start_date.isoformat(),
        "end": current.end_date.isoformat(),
    }
    current.type, current.start_date, current.end_date = type, start_date, end_date
    current.save(update_fields=["type", "start_date", "end_date"])
    record(
        by=by,
        action="absence.change",
        target=current.person,
        absence=current.pk,
        before=before,
        after={"type": type, "start": start_date.isoformat(), "end": end_date.isoformat()},
    )
    return current


@transaction.atomic
def remove_absence(*, by: User, absence: Absence, opened: str) -> None:
    current = Absence.objects.select_for_update().get(pk=absence.pk)
    if _as_opened(current) != opened:
        raise StaleAbsence
    record(
        by=by,
        action="absence.remove",
        target=current.person,
        absence=current.pk,
        type=current.type,
        start=current.start_date.isoformat(),
        end=current.end_date.isoformat(),
    )
    current.delete()


@transaction.atomic
def record_absence(
    *, by: User, person: Person, type: str, start_date: dt.date, end_date: dt.date
) -> Absence:
    """Record one absence; refused if it overlaps one already recorded for the person."""
    _overlap(person, start_date, end_date)
    absence = Absence.objects.create(
        person=person, type=type, start_date=start_date, end_date=end_date
    )
    record(
        by=by,
        action="absence.record",
        target=person,
        type=type,
        start=start_date.isoformat(),
        end=end_date.isoformat(),
    )
    return absence


class AbsenceForm(NHSFormMixin, forms.Form):
    person = PersonChoiceField(
        label="Who is away?",
        queryset=Person.objects.none(),
        to_field_name="external_id",
        empty_label="Choose a person",
        error_messages={"required": "Select who is away"},
    )
    type = forms.ChoiceField(
        label="What kind of absence?",
        choices=AbsenceType.choices,
        widget=forms.RadioSelect,
        help_text="Long-term sickness reduces what they must attend, in proportion (the policy "
        "says how long counts as long-term).",
        error_messages={"required": "Select the kind of absence"},
    )
    start_date = forms.DateField(
        label="First day away",
        widget=date_input(),
        error_messages={"required": "Enter the first day away"},
    )
    end_date = forms.DateField(
        label="Last day away",
        widget=date_input(),
        help_text="For sickness still going on, the last day of the current fit note.",
        error_messages={"required": "Enter the last day away"},
    )

    def __init__(self, *args: Any, people: QuerySet[Person] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is None:  # changing one: the person stays
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The last day must be on or after the first day")
        return data


def new_absence_page(request: HttpRequest) -> HttpResponse:
    me = person_of(request.user)
    today = timezone.localdate()
    if me is None or not isinstance(request.user, User):
        raise Http404("No such page")
    people = recordable_people(me, on=today)
    if not people.exists():
        raise Http404("No such page")
    if request.method == "POST":
        form = AbsenceForm(request.POST, people=people)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record_absence(
                    by=request.user,
                    person=data["person"],
                    type=data["type"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                )
            except AbsenceRefused as refused:
                form.add_error("start_date", str(refused))
            else:
                messages.success(request, f"Absence recorded for {data['person'].name}.")
                return redirect("compliance:person", external_id=data["person"].external_id)
    else:
        chosen = request.GET.get("person")
        known = chosen and people.filter(external_id=chosen).exists()
        initial = {"person": chosen} if known else {}
        form = AbsenceForm(initial=initial, people=people)
    return render(request, "supervision/new_absence.html", {"form": form})


STALE_MESSAGE = (
    "Someone changed this absence since you opened it. This is how it is now; make your change "
    "again if it is still needed."
)


def change_absence_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an absence's kind or days, or remove it: for the same people who record them."""
    me = person_of(request.user)
    today = timezone.localdate()
    if me is None or not isinstance(request.user, User):
        raise Http404("No such absence")
    try:
        absence = Absence.objects.select_related("person").get(
            pk=pk, person__in=recordable_people(me, on=today)
        )
    except Absence.DoesNotExist:
        raise Http404("No such absence") from None
    person = absence.person
    initial = {"type": absence.type, "start_date": absence.start_date, "end_date": absence.end_date}
    opened = request.POST.get("opened", "") if request.method == "POST" else _as_opened(absence)
    form = AbsenceForm(initial=initial, people=None)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                remove_absence(by=request.user, absence=absence, opened=opened)
                messages.success(request, f"Absence removed from {person.name}'s record.")
                return redirect("compliance:person", external_id=person.external_id)
            form = AbsenceForm(request.POST, people=None)
            if form.is_valid():
                data = form.cleaned_data
                change_absence(
                    by=request.user,
                    absence=absence,
                    opened=opened,
                    type=data["type"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                )
                messages.success(request, f"Absence changed for {person.name}.")
                return redirect("compliance:person", external_id=person.external_id)
        except StaleAbsence:
            absence.refresh_from_db()
            opened = _as_opened(absence)
            form = AbsenceForm(
                initial={
                    "type": absence.type,
                    "start_date": absence.start_date,
                    "end_date": absence.end_date,
                },
                people=None,
            )
            messages.error(request, STALE_MESSAGE)
        except AbsenceRefused as refused:
            form.add_error("start_date", str(refused))
    return render(
        request,
        "supervision/change_absence.html",
        {"form": form, "absence": absence, "person": person, "opened": opened},
    )
