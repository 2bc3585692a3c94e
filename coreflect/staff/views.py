"""The people pages, for the head of peer work and administrators (404 for anyone else): the
list, adding a person, changing them, a leaving date, a start, and (administrators only, after
a recent second factor) granting a role."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coreflect.authorization import Permission, user_with
from coreflect.people.models import Person
from coreflect.people.rules import Refused
from coreflect.signin.state import RECENT_MINUTES
from coreflect.staff import access, actions, listing
from coreflect.staff.access import Right
from coreflect.staff.forms import (
    AddPersonForm,
    EditPersonForm,
    LeavingForm,
    PeopleFilterForm,
    RoleForm,
    StartForm,
)
from coreflect.supervision.models import SupervisionRelationship

STALE_MESSAGE = (
    "Someone changed this person's record since you opened it, so your change was not saved. "
    "This is how it is now; make your change again if it is still needed."
)


def people_list(request: HttpRequest) -> HttpResponse:
    user_with(request, Permission.MANAGE_PEOPLE)
    params = request.GET.copy()
    params.pop("after", None)
    form = PeopleFilterForm(params or None)
    rows: list[Person] = []
    more = None
    if not form.is_bound or form.is_valid():
        try:
            after = int(request.GET["after"]) if "after" in request.GET else None
        except ValueError:
            after = None
        rows, more = listing.page(form.filters(), after, today=timezone.localdate())
    return render(
        request,
        "staff/list.html",
        {
            "form": form,
            "rows": rows,
            "more": more,
            "query": params.urlencode(),
            "first_page": "after" in request.GET,
        },
    )


def _refused(form: Form, refused: Refused) -> None:
    field = refused.field if refused.field in form.fields else None
    form.add_error(field, str(refused))


def add_person(request: HttpRequest) -> HttpResponse:
    user = user_with(request, Permission.MANAGE_PEOPLE)
    posted = request.POST if request.method == "POST" else None
    form = AddPersonForm(posted, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = actions.add_person(
                by=user,
                external_id=data["external_id"],
                name=data["name"],
                email=data["email"],
                role=data["role"],
                service=data["service"],
                locality=data["locality"],
                line_manager=data["line_manager"],
                start_date=data["start_date"],
            )
        except Refused as refused:
            _refused(form, refused)
        else:
            messages.success(request, f"{person.name} added.")
            return redirect("staff:edit", pk=person.pk)
    return render(request, "staff/add.html", {"form": form})


def _person_and_right(request: HttpRequest, pk: int) -> tuple[User, Person, Right]:
    user = user_with(request, Permission.MANAGE_PEOPLE)
    person = access.get_person_to_manage(user, pk)
    right = access.right_over(request, person)
    if request.method == "POST" and not right.may_change:
        raise Http404("No such page")
    return user, person, right


def _writes(request: HttpRequest, right: Right) -> bool:
    """Whether this request is a write to go ahead with. A write to a privileged record, or a
    grant, without a recent second factor is refused: the page is shown again (403), saying
    how to use one."""
    return request.method == "POST" and right.may_write


def _status(request: HttpRequest, right: Right) -> int:
    return 403 if request.method == "POST" and right.needs_second_factor else 200


def _edit_initial(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "email": person.email,
        "role": person.role,
        "service": person.service_id,
        "locality": person.locality_id,
        "line_manager": person.line_manager.external_id if person.line_manager else "",
        "effective": timezone.localdate(),
        "opened": actions.as_opened(person),
    }


def _page_context(request: HttpRequest, person: Person, right: Right) -> dict[str, Any]:
    """What every page about one person shows beside its form: who they are, their history,
    and what the user may do to them."""
    return {
        "person": person,
        "right": right,
        "recent_minutes": RECENT_MINUTES,
        "may_grant_roles": access.may_grant_roles(request.user),
        "placements": person.placements.select_related("service", "locality").order_by(
            "-start_date", "-pk"
        ),
        "employment": person.employment.order_by("-start_date"),
    }


def edit_person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's record with their history; change their name, email, line manager, role or
    team (from a date)."""
    user, person, right = _person_and_right(request, pk)
    role_fixed = access.is_privileged(person)
    form = EditPersonForm(initial=_edit_initial(person), role_fixed=role_fixed)
    if _writes(request, right):
        form = EditPersonForm(request.POST, role_fixed=role_fixed)
        if form.is_valid():
            data = form.cleaned_data
            try:
                changed = actions.change_person(
                    by=user,
                    person=person,
                    opened=data["opened"],
                    name=data["name"],
                    email=data["email"],
                    role=data.get("role", person.role),
                    service=data["service"],
                    locality=data["locality"],
                    line_manager=data["line_manager"],
                    effective=data["effective"],
                )
            except actions.StaleEdit:
                person = access.get_person_to_manage(user, pk)
                form = EditPersonForm(initial=_edit_initial(person), role_fixed=role_fixed)
                messages.error(request, STALE_MESSAGE)
            except Refused as refused:
                _refused(form, refused)
            else:
                if changed:
                    messages.success(request, f"{data['name']}'s record changed.")
                else:
                    messages.info(request, "Nothing was changed.")
                return redirect("staff:edit", pk=person.pk)
    return render(
        request,
        "staff/edit.html",
        {"form": form, **_page_context(request, person, right)},
        status=_status(request, right),
    )


def leaving(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a person's last day, or correct it."""
    user, person, right = _person_and_right(request, pk)
    initial = {"leaving": timezone.localdate(), "opened": actions.as_opened(person)}
    form = LeavingForm(initial=initial)
    if _writes(request, right):
        form = LeavingForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["leaving"]
            try:
                actions.record_leaving(
                    by=user, person=person, opened=form.cleaned_data["opened"], leaving=day
                )
            except actions.StaleEdit:
                person = access.get_person_to_manage(user, pk)
                form = LeavingForm(initial={**initial, "opened": actions.as_opened(person)})
                messages.error(request, STALE_MESSAGE)
            except Refused as refused:
                _refused(form, refused)
            else:
                messages.success(
                    request, f"{person.name}'s last day is recorded: {day.day} {day:%B %Y}."
                )
                return redirect("staff:edit", pk=person.pk)
    # The relationships a leaving date today would end (the page says so).
    going_on = SupervisionRelationship.objects.filter(
        Q(supervisee=person) | Q(supervisor=person),
        Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate()),
    )
    return render(
        request,
        "staff/leaving.html",
        {
            "form": form,
            "relationships": going_on.select_related("supervisee", "supervisor").order_by(
                "start_date", "pk"
            ),
            **_page_context(request, person, right),
        },
        status=_status(request, right),
    )


def start(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a start for someone returning (a new employment period, and a placement)."""
    user, person, right = _person_and_right(request, pk)
    initial = {"start": timezone.localdate(), "opened": actions.as_opened(person)}
    form = StartForm(initial=initial)
    if _writes(request, right):
        form = StartForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["start"]
            try:
                actions.record_start(
                    by=user, person=person, opened=form.cleaned_data["opened"], start=day
                )
            except actions.StaleEdit:
                person = access.get_person_to_manage(user, pk)
                form = StartForm(initial={**initial, "opened": actions.as_opened(person)})
                messages.error(request, STALE_MESSAGE)
            except Refused as refused:
                _refused(form, refused)
            else:
                messages.success(request, f"{person.name}'s start is recorded.")
                return redirect("staff:edit", pk=person.pk)
    return render(
        request,
        "staff/start.html",
        {"form": form, **_page_context(request, person, right)},
        status=_status(request, right),
    )


def grant_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a person any role, privileged ones included: administrators only, after using a
    second factor in the last RECENT_MINUTES minutes, and never their own."""
    user = user_with(request, Permission.GRANT_ROLES)
    person = access.get_person_to_manage(user, pk)
    right = access.grant_right(request, person)
    initial = {"effective": timezone.localdate(), "opened": actions.as_opened(person)}
    form = RoleForm(initial=initial)
    if request.method == "POST" and not right.may_change:
        raise Http404("No such page")
    if _writes(request, right):
        form = RoleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.grant_role(
                    by=user,
                    person=person,
                    opened=data["opened"],
                    role=data["role"],
                    effective=data["effective"],
                )
            except actions.StaleEdit:
                person = access.get_person_to_manage(user, pk)
                form = RoleForm(initial={**initial, "opened": actions.as_opened(person)})
                messages.error(request, STALE_MESSAGE)
            except Refused as refused:
                _refused(form, refused)
            else:
                person.refresh_from_db(fields=["role"])
                messages.success(
                    request, f"{person.name} now has the role {person.get_role_display()}."
                )
                return redirect("staff:edit", pk=person.pk)
    return render(
        request,
        "staff/role.html",
        {"form": form, **_page_context(request, person, right)},
        status=_status(request, right),
    )
