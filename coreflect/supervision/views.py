from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone

from coreflect.authorization import person_of
from coreflect.policy.models import PolicySettings
from coreflect.supervision import access, actions, rules
from coreflect.supervision.forms import (
    AbsenceForm,
    AddMemberForm,
    CancelForm,
    CoReflectionForm,
    CorrectRelationshipForm,
    EditSessionForm,
    EndMemberForm,
    EndRelationshipForm,
    MoveRelationshipForm,
    NewGroupForm,
    NewOneToOneSeriesForm,
    OneToOneForm,
    RegisterForm,
    RelationshipForm,
    SeriesForm,
)
from coreflect.supervision.models import AttendanceStatus, Session, SupervisionRelationship
from coreflect.supervision.rules import Right

STALE_MESSAGE = (
    "Someone else changed this session since you opened it. Your changes were not saved; "
    "here is the current version."
)


def _location_late(session: Session) -> tuple[bool, int]:
    """Whether the location reached the supervisee late, and the notice the policy asks."""
    notice_days = PolicySettings.objects.current().location_notice_days
    late = bool(
        session.location
        and session.location_set_at
        and rules.location_is_late(
            session.date,
            timezone.localdate(session.location_set_at),
            notice_days,
            created_on=timezone.localdate(session.created_at),
        )
    )
    return late, notice_days


def session_list(request: HttpRequest) -> HttpResponse:
    """Sessions the user leads: registers still to complete, then upcoming sessions, then the
    most recent."""
    me = access.recorder(request.user)
    today = timezone.localdate()
    led = access.with_registers(Session.objects.filter(lead=me))
    to_complete = access.registers_to_complete(me, on=today)
    upcoming = list(led.filter(date__gte=today).order_by("date", "start_time")[:50])
    recent = list(led.filter(date__lt=today).order_by("-date", "-start_time")[:50])
    registers = access.registers_for(request.user, [*to_complete, *upcoming, *recent], on=today)
    first, second = len(to_complete), len(to_complete) + len(upcoming)
    return render(
        request,
        "supervision/list.html",
        {
            "to_complete": registers[:first],
            "upcoming": registers[first:second],
            "recent": registers[second:],
        },
    )


def new_one_to_one(request: HttpRequest) -> HttpResponse:
    me = access.recorder(request.user)
    today = timezone.localdate()
    policy = PolicySettings.objects.current()
    form = OneToOneForm(
        request.POST or None,
        supervisees=access.supervisees_of(me, on=today),
        initial={
            "date": today,
            "duration_minutes": policy.one_to_one_minutes,
            "modality": "in_person",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = actions.create_one_to_one(
            by=request.user,  # type: ignore[arg-type]
            lead=me,
            supervisee=data["supervisee"],
            date=data["date"],
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            modality=data["modality"],
            location=data["location"],
        )
        messages.success(request, f"One-to-one with {data['supervisee'].name} recorded.")
        return redirect("supervision:detail", pk=session.pk)
    return render(request, "supervision/new.html", {"form": form, "kind": "one-to-one"})


def new_co_reflection(request: HttpRequest) -> HttpResponse:
    me = access.recorder(request.user)
    policy = PolicySettings.objects.current()
    form = CoReflectionForm(
        request.POST or None,
        candidates=access.co_reflection_candidates(me),
        initial={
            "date": rules.default_co_reflection_date(timezone.localdate()),
            "duration_minutes": policy.co_reflection_minutes,
            "modality": "in_person",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = actions.create_co_reflection(
            by=request.user,  # type: ignore[arg-type]
            lead=me,
            participants=data["participants"],
            date=data["date"],
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            modality=data["modality"],
            location=data["location"],
        )
        messages.success(request, "Co-reflection recorded. Tick the register when it has run.")
        return redirect("supervision:detail", pk=session.pk)
    return render(request, "supervision/new.html", {"form": form, "kind": "co-reflection"})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The session and its register as the user may see it; whoever may change the session
    (its lead, or a corrector of a closed record) ticks the register here."""
    today = timezone.localdate()
    session = access.get_session_for(request.user, pk, on=today)
    right = access.right_over(request.user, session, on=today)
    if request.method == "POST" and (right is None or session.is_cancelled):
        raise Http404("No such session")
    register = access.registers_for(request.user, [session], on=today)[0]
    form = _register_form(register, right, request.POST or None)
    stale = False
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            actions.record_register(
                by=request.user,  # type: ignore[arg-type]
                session=session,
                statuses=form.statuses(),
                version=form.cleaned_data["version"],
                correction=right is Right.CORRECT,
            )
        except actions.StaleEdit:
            # Show the register as it is now, not as this editor left it.
            stale = True
            session = access.get_session_for(request.user, pk, on=today)
            right = access.right_over(request.user, session, on=today)
            register = access.registers_for(request.user, [session], on=today)[0]
            form = _register_form(register, right)
        else:
            messages.success(request, "Register saved.")
            return redirect("supervision:detail", pk=session.pk)
    late, notice_days = _location_late(session)
    me = person_of(request.user)
    return render(
        request,
        "supervision/detail.html",
        {
            "session": session,
            "register": register,
            "form": form,
            "may_change": right is not None and not session.is_cancelled,
            "correcting": right is Right.CORRECT,
            # The lead of a closed record: told why they can no longer change it.
            "closed_to_me": right is None and me is not None and session.lead_id == me.pk,
            "location_late": late,
            "notice_days": notice_days,
            "stale": STALE_MESSAGE if stale else "",
        },
    )


def _register_form(
    register: access.Register, right: Right | None, data: QueryDict | None = None
) -> RegisterForm | None:
    """The register's form for someone who may change the session, while it is not cancelled
    (such a person sees every status: rules.may_correct asks for every participant in reach)."""
    if right is None or register.session.is_cancelled:
        return None
    return RegisterForm(
        data,
        attendance=[line.attendance for line in register.lines],
        initial={"version": register.session.version},
    )


def _edit_form(session: Session, data: QueryDict | None = None) -> EditSessionForm:
    current = {name: getattr(session, name) for name in actions.EDITABLE_FIELDS}
    return EditSessionForm(data, initial={**current, "version": session.version})


def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the date, time, length, modality or location of a session: its lead while the
    record is open, a corrector once it is closed."""
    session, right = access.get_session_to_change(request.user, pk)
    if session.is_cancelled:
        messages.info(request, "This session is cancelled, so it cannot be changed.")
        return redirect("supervision:detail", pk=session.pk)
    form = _edit_form(session, request.POST or None)
    stale = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_session(
                by=request.user,  # type: ignore[arg-type]
                session=session,
                version=data["version"],
                correction=right is Right.CORRECT,
                **{name: data[name] for name in actions.EDITABLE_FIELDS},
            )
        except actions.StaleEdit:
            session, right = access.get_session_to_change(request.user, pk)
            if session.is_cancelled:
                messages.error(request, "Someone else cancelled this session; it was not changed.")
                return redirect("supervision:detail", pk=session.pk)
            stale = True
            form = _edit_form(session)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Session changed.")
            return redirect("supervision:detail", pk=session.pk)
    return render(
        request,
        "supervision/edit.html",
        {
            "form": form,
            "session": session,
            "correcting": right is Right.CORRECT,
            "stale": STALE_MESSAGE if stale else "",
        },
    )


def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a session, with a reason and any alternative offered: its lead while the record
    is open, a corrector once it is closed."""
    session, right = access.get_session_to_change(request.user, pk)
    if session.is_cancelled:
        messages.info(request, "This session is already cancelled.")
        return redirect("supervision:detail", pk=session.pk)
    form = CancelForm(request.POST or None, initial={"version": session.version})
    stale = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.cancel_session(
                by=request.user,  # type: ignore[arg-type]
                session=session,
                version=data["version"],
                cancelled_by_side=data["cancelled_by_side"],
                reason=data["reason"],
                alternative_offered=data["alternative_offered"],
                correction=right is Right.CORRECT,
            )
        except actions.StaleEdit:
            session, right = access.get_session_to_change(request.user, pk)
            if session.is_cancelled:
                messages.error(request, "Someone else cancelled this session already.")
                return redirect("supervision:detail", pk=session.pk)
            # Keep what they typed, against the current version, so they can decide again.
            stale = True
            form = CancelForm(initial={**data, "version": session.version})
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            messages.success(request, "Session cancelled.")
            return redirect("supervision:detail", pk=session.pk)
    return render(
        request,
        "supervision/cancel.html",
        {
            "form": form,
            "session": session,
            # Whoever may cancel may read the whole register (its lead, or a corrector).
            "attended": session.attendance.filter(status=AttendanceStatus.ATTENDED).count(),
            "correcting": right is Right.CORRECT,
            "stale": STALE_MESSAGE if stale else "",
        },
    )


def relationships(request: HttpRequest) -> HttpResponse:
    """Who supervises whom: the list and a form to add a relationship."""
    if not access.may_manage_relationships(request.user):
        raise Http404("No such page")
    form = RelationshipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.start_relationship(
                by=request.user,  # type: ignore[arg-type]
                supervisee=data["supervisee"],
                supervisor=data["supervisor"],
                type=data["type"],
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Relationship recorded.")
            return redirect("supervision:relationships")
    current = (
        SupervisionRelationship.objects.current(timezone.localdate())
        .select_related("supervisee", "supervisor")
        .order_by("supervisee__name", "type")
    )
    return render(
        request, "supervision/relationships.html", {"form": form, "relationships": current}
    )


def end_relationship(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the last day of a relationship and a confirmation, then end it (e.g. before a
    new peer work supervisor starts)."""
    relationship = access.get_relationship_to_manage(request.user, pk)
    form = EndRelationshipForm(request.POST or None, initial={"end_date": timezone.localdate()})
    if request.method != "POST" or not form.is_valid():
        return _confirm_end(request, relationship, form)
    end_date = form.cleaned_data["end_date"]
    try:
        actions.end_relationship(
            by=request.user,  # type: ignore[arg-type]
            relationship=relationship,
            end_date=end_date,
        )
    except ValidationError as error:
        form.add_error("end_date", error)
        return _confirm_end(request, relationship, form)
    messages.success(
        request,
        f"{relationship.supervisor.name} no longer supervises {relationship.supervisee.name} "
        f"({relationship.get_type_display().lower()}) after {end_date.day} {end_date:%B %Y}.",
    )
    return redirect("supervision:relationships")


def _confirm_end(
    request: HttpRequest, relationship: SupervisionRelationship, form: EndRelationshipForm
) -> HttpResponse:
    return render(
        request,
        "supervision/end_relationship.html",
        {"relationship": relationship, "form": form},
    )


RELATIONSHIP_STALE_MESSAGE = (
    "Someone changed this relationship since you opened it, so your change was not saved. This "
    "is how it is now; make your change again if it is still needed."
)


def _change_forms(
    relationship: SupervisionRelationship,
) -> tuple[CorrectRelationshipForm, MoveRelationshipForm]:
    opened = actions.relationship_as_opened(relationship)
    return (
        CorrectRelationshipForm(
            prefix="correct",
            initial={
                "type": relationship.type,
                "start_date": relationship.start_date,
                "opened": opened,
            },
        ),
        MoveRelationshipForm(
            prefix="move", initial={"from_date": timezone.localdate(), "opened": opened}
        ),
    )


def change_relationship(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a relationship's kind or first day, or move the supervisee to a new supervisor
    from a date (the relationship ends the day before and a new one starts)."""
    relationship = access.get_relationship_to_manage(request.user, pk)
    user = request.user
    if not isinstance(user, User):
        raise Http404("No such relationship")
    correct, move = _change_forms(relationship)
    which = request.POST.get("change") if request.method == "POST" else None
    try:
        if which == "correct":
            correct = CorrectRelationshipForm(request.POST, prefix="correct")
            if correct.is_valid():
                data = correct.cleaned_data
                actions.correct_relationship(
                    by=user,
                    relationship=relationship,
                    opened=data["opened"],
                    type=data["type"],
                    start_date=data["start_date"],
                )
                messages.success(request, "Relationship corrected.")
                return redirect("supervision:relationships")
        elif which == "move":
            move = MoveRelationshipForm(request.POST, prefix="move")
            if move.is_valid():
                data = move.cleaned_data
                new = actions.move_relationship(
                    by=user,
                    relationship=relationship,
                    opened=data["opened"],
                    supervisor=data["supervisor"],
                    from_date=data["from_date"],
                )
                day = new.start_date
                messages.success(
                    request,
                    f"{new.supervisor.name} supervises {new.supervisee.name} from "
                    f"{day.day} {day:%B %Y}.",
                )
                return redirect("supervision:relationships")
    except actions.StaleRelationship:
        relationship = access.get_relationship_to_manage(request.user, pk)
        correct, move = _change_forms(relationship)
        messages.error(request, RELATIONSHIP_STALE_MESSAGE)
    except ValidationError as error:
        (correct if which == "correct" else move).add_error(None, error)
    return render(
        request,
        "supervision/change_relationship.html",
        {"relationship": relationship, "correct": correct, "move": move},
    )


# Absences: a line manager or supervisor records, changes and removes them.


def new_absence_page(request: HttpRequest) -> HttpResponse:
    me = person_of(request.user)
    today = timezone.localdate()
    if me is None or not isinstance(request.user, User):
        raise Http404("No such page")
    people = access.recordable_people(me, on=today)
    if not people.exists():
        raise Http404("No such page")
    if request.method == "POST":
        form = AbsenceForm(request.POST, people=people)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.record_absence(
                    by=request.user,
                    person=data["person"],
                    type=data["type"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                )
            except actions.AbsenceRefused as refused:
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


ABSENCE_STALE_MESSAGE = (
    "Someone changed this absence since you opened it. This is how it is now; make your change "
    "again if it is still needed."
)


def change_absence_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an absence's kind or days, or remove it: for the same people who record them."""
    absence = access.get_absence_to_change(request.user, pk, on=timezone.localdate())
    if not isinstance(request.user, User):
        raise Http404("No such absence")
    person = absence.person
    initial = {"type": absence.type, "start_date": absence.start_date, "end_date": absence.end_date}
    opened = (
        request.POST.get("opened", "") if request.method == "POST" else actions.as_opened(absence)
    )
    form = AbsenceForm(initial=initial, people=None)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                actions.remove_absence(by=request.user, absence=absence, opened=opened)
                messages.success(request, f"Absence removed from {person.name}'s record.")
                return redirect("compliance:person", external_id=person.external_id)
            form = AbsenceForm(request.POST, people=None)
            if form.is_valid():
                data = form.cleaned_data
                actions.change_absence(
                    by=request.user,
                    absence=absence,
                    opened=opened,
                    type=data["type"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                )
                messages.success(request, f"Absence changed for {person.name}.")
                return redirect("compliance:person", external_id=person.external_id)
        except actions.StaleAbsence:
            absence.refresh_from_db()
            opened = actions.as_opened(absence)
            form = AbsenceForm(
                initial={
                    "type": absence.type,
                    "start_date": absence.start_date,
                    "end_date": absence.end_date,
                },
                people=None,
            )
            messages.error(request, ABSENCE_STALE_MESSAGE)
        except actions.AbsenceRefused as refused:
            form.add_error("start_date", str(refused))
    return render(
        request,
        "supervision/change_absence.html",
        {"form": form, "absence": absence, "person": person, "opened": opened},
    )


# Series: groups and one-to-ones that recur (docs/calendar.md).

SERIES_STALE_MESSAGE = (
    "Someone else changed this series since you opened it. Nothing was saved; this is how it "
    "is now."
)


def series_list(request: HttpRequest) -> HttpResponse:
    """The series the user leads; their occurrences are topped up here too (cheap: only the
    series whose horizon has moved are looked at)."""
    me = access.recorder(request.user)
    series = list(access.series_of(me))
    actions.top_up_series(today=timezone.localdate(), series_pks=[s.pk for s in series])
    return render(
        request,
        "supervision/series_list.html",
        {"series": series, "supervises": access.supervisees_of(me, on=timezone.localdate())},
    )


def _series_initial(kind: str) -> dict[str, object]:
    policy = PolicySettings.objects.current()
    group = kind == "co_reflection"
    return {
        "recurrence": policy.co_reflection_recurrence if group else policy.one_to_one_recurrence,
        "start_date": timezone.localdate(),
        "start_time": policy.co_reflection_start_time if group else None,
        "duration_minutes": policy.co_reflection_minutes if group else policy.one_to_one_minutes,
        "modality": "in_person",
    }


def new_group(request: HttpRequest) -> HttpResponse:
    """Set up a co-reflection group: its rule, details and members, once for every date."""
    me = access.recorder(request.user)
    form = NewGroupForm(
        request.POST or None,
        candidates=access.co_reflection_candidates(me),
        initial=_series_initial("co_reflection"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = actions.create_series(
                by=request.user,  # type: ignore[arg-type]
                kind="co_reflection",
                lead=me,
                name=data["name"],
                recurrence_rule=data["recurrence"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                start_time=data["start_time"],
                duration_minutes=data["duration_minutes"],
                modality=data["modality"],
                location=data["location"],
                members=data["members"],
                service=me.service,
                locality=me.locality,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{series.name} set up, with its sessions.")
            return redirect("supervision:series_detail", pk=series.pk)
    return render(request, "supervision/series_new.html", {"form": form, "kind": "group"})


def new_one_to_one_series(request: HttpRequest) -> HttpResponse:
    """Set up one-to-ones with a supervisee that recur (e.g. monthly, the second Tuesday)."""
    me = access.recorder(request.user)
    supervisees = access.supervisees_of(me, on=timezone.localdate())
    form = NewOneToOneSeriesForm(
        request.POST or None, supervisees=supervisees, initial=_series_initial("one_to_one")
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = actions.create_series(
                by=request.user,  # type: ignore[arg-type]
                kind="one_to_one",
                lead=me,
                name=f"One-to-ones with {data['supervisee'].name}",
                recurrence_rule=data["recurrence"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                start_time=data["start_time"],
                duration_minutes=data["duration_minutes"],
                modality=data["modality"],
                location=data["location"],
                members=[data["supervisee"]],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "One-to-ones set up, with their sessions.")
            return redirect("supervision:series_detail", pk=series.pk)
    return render(
        request,
        "supervision/series_new.html",
        {"form": form, "kind": "one-to-one series", "nobody": not supervisees.exists()},
    )


def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A series: its upcoming sessions (each moved or cancelled on its own page), its members,
    and forms to add a member or end someone's membership."""
    series = access.get_series_for(request.user, pk)
    me = series.lead
    today = timezone.localdate()
    actions.top_up_series(today=today, series_pks=[series.pk])
    members = list(series.members.select_related("person").order_by("person__name"))
    current = {m.person_id for m in members if m.end_date is None or m.end_date >= today}
    candidates = access.co_reflection_candidates(me).exclude(pk__in=current)
    add = AddMemberForm(
        candidates=candidates, initial={"start_date": today, "version": series.version}
    )
    end = EndMemberForm(initial={"end_date": today, "version": series.version})
    if request.method == "POST":
        try:
            if request.POST.get("do") == "add":
                add = AddMemberForm(request.POST, candidates=candidates)
                if add.is_valid():
                    actions.add_member(
                        by=request.user,  # type: ignore[arg-type]
                        series=series,
                        person=add.cleaned_data["person"],
                        start_date=add.cleaned_data["start_date"],
                        version=add.cleaned_data["version"],
                    )
                    messages.success(request, f"{add.cleaned_data['person'].name} added.")
                    return redirect("supervision:series_detail", pk=series.pk)
            elif request.POST.get("do") == "end":
                end = EndMemberForm(request.POST)
                if end.is_valid():
                    member = next((m for m in members if m.pk == end.cleaned_data["member"]), None)
                    if member is None:
                        raise Http404("No such member")
                    actions.end_membership(
                        by=request.user,  # type: ignore[arg-type]
                        member=member,
                        end_date=end.cleaned_data["end_date"],
                        version=end.cleaned_data["version"],
                    )
                    messages.success(request, f"{member.person.name}'s membership ends.")
                    return redirect("supervision:series_detail", pk=series.pk)
        except actions.StaleSeries:
            messages.error(request, SERIES_STALE_MESSAGE)
            return redirect("supervision:series_detail", pk=series.pk)
        except ValidationError as error:
            (add if request.POST.get("do") == "add" else end).add_error(None, error)
    upcoming = access.with_registers(
        series.occurrences.filter(date__gte=today).order_by("date", "start_time")
    )[:24]
    return render(
        request,
        "supervision/series_detail.html",
        {
            "series": series,
            "members": members,
            "current": current,
            "today": today,
            "upcoming": access.registers_for(request.user, list(upcoming), on=today),
            "add": add,
            "end": end,
        },
    )


def series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a series: its future sessions follow, except any moved or changed on its own."""
    series = access.get_series_for(request.user, pk)
    values = {name: getattr(series, name) for name in actions.SERIES_FIELDS}
    form = SeriesForm(
        request.POST or None, kind=series.kind, initial={**values, "version": series.version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.change_series(
                by=request.user,  # type: ignore[arg-type]
                series=series,
                version=data["version"] or 0,
                **{name: data[name] for name in actions.SERIES_FIELDS if name in data},
            )
        except actions.StaleSeries:
            messages.error(request, SERIES_STALE_MESSAGE)
            return redirect("supervision:series_edit", pk=series.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Series changed; its future sessions follow.")
            return redirect("supervision:series_detail", pk=series.pk)
    return render(request, "supervision/series_edit.html", {"form": form, "series": series})
