"""The notes register page (audit KPI 1): for each supervisor, how the notes of the
one-to-ones they held stand against their deadlines, with a CSV download of the rows
`coreflect notes-register` prints. States, dates and counts only: never what notes say.

The head of peer work and governance see every supervisor; peer leads and co-ordinators the
one-to-ones whose supervisee is in their own service. Everyone else gets 404.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.text import slugify

from coreflect.audit.actions import record
from coreflect.authorization import Permission, has_permission, person_of
from coreflect.compliance import exports
from coreflect.forms import NHSFormMixin, QuickSelect
from coreflect.notes import register
from coreflect.people.models import Person, Service
from coreflect.policy.models import PolicySettings
from coreflect.supervision.models import Session

# Supervisors on one page: the counts are made for everyone either way, this bounds the HTML.
PAGE_SIZE = 50


class RegisterFilterForm(NHSFormMixin, forms.Form):
    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The register as it stood at the end of this day. Today by default.",
        validators=[
            MinValueValidator(dt.date(1900, 1, 1)),
            MaxValueValidator(dt.date(9998, 12, 31)),
        ],
    )
    service = forms.TypedChoiceField(
        label="Supervisee's service", coerce=int, required=False, widget=QuickSelect
    )

    def __init__(self, data: Any, *, services: list[tuple[int, str]] | None) -> None:
        super().__init__(data)
        if services is None:  # a service lead's register is their own service's
            del self.fields["service"]
        else:
            self.fields["service"].choices = [("", "All services"), *services]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RegisterView:
    """What the user asked for and may see: the day, the service, the sessions."""

    form: RegisterFilterForm
    as_of: dt.date
    service: Service | None
    # The service lead's own service (None for those who see everyone).
    own_service: Service | None
    sessions: QuerySet[Session]
    policy: PolicySettings

    @property
    def deadlines(self) -> register.Deadlines:
        return register.Deadlines.of(self.policy)

    @property
    def filename(self) -> str:
        name = f"notes-register-as-of-{self.as_of.isoformat()}"
        if self.service is not None:
            name += f"-{slugify(self.service.name)}"
        return name[: exports.MAX_NAME].rstrip("-")


def register_view(request: HttpRequest) -> RegisterView:
    """The register this user may see, filtered as asked; 404 for anyone without the
    register's permissions."""
    everyone = has_permission(request.user, Permission.VIEW_NOTES_REGISTER)
    if not everyone and not has_permission(request.user, Permission.VIEW_SERVICE_NOTES_REGISTER):
        raise Http404("No such page")
    own_service = None
    services = None
    if everyone:
        services = list(Service.objects.values_list("pk", "name"))
    else:
        me = person_of(request.user)
        own_service = me.service if me is not None else None
    form = RegisterFilterForm(request.GET or None, services=services)
    cleaned = form.cleaned_data if form.is_valid() else {}
    as_of = cleaned.get("as_of") or timezone.localdate()
    sessions = register.held_one_to_ones(as_of)
    service = own_service
    if everyone and cleaned.get("service"):
        service = Service.objects.get(pk=cleaned["service"])
    if service is not None:
        sessions = register.of_service(sessions, service)
    elif not everyone:  # a peer lead outside any service has no one's register to see
        sessions = sessions.none()
    policy = PolicySettings.objects.current()
    return RegisterView(form, as_of, service, own_service, sessions, policy)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def in_words(t: register.Tally) -> str:
    """A tally's arithmetic in words, for someone who cannot see the table's headings."""
    if not t.held:
        return "No held one-to-ones."
    drafts = t.not_shared - t.not_written
    shared = t.shared_on_time + t.shared_late
    parts = [
        f"{_count(t.held, 'held one-to-one')}: notes of {t.not_written:,} not written and "
        f"{drafts:,} written but not shared yet;",
        f"{shared:,} shared ({t.shared_on_time:,} by the deadline, {t.shared_late:,} after it);",
        f"{t.waiting:,} waiting for the supervisee's answer;",
        f"{t.answered:,} answered ({t.answered_on_time:,} by the deadline, "
        f"{t.answered_late:,} after it).",
    ]
    if t.overdue:
        parts.append(
            f"{t.overdue:,} overdue now: {t.share_overdue:,} not shared by the deadline, "
            f"{t.response_overdue:,} waiting past the answer's deadline."
        )
    else:
        parts.append("Nothing overdue.")
    return " ".join(parts)


@dataclass(frozen=True)
class SupervisorRow:
    pk: int
    name: str
    external_id: str
    tally: register.Tally

    @property
    def words(self) -> str:
        return in_words(self.tally)


def register_page(request: HttpRequest) -> HttpResponse:
    view = register_view(request)
    tallies = register.tallies(view.sessions, as_of=view.as_of, deadlines=view.deadlines)
    people = Person.objects.filter(pk__in=list(tallies)).values_list("pk", "name", "external_id")
    rows = sorted(
        (SupervisorRow(pk, name, external_id, tallies[pk]) for pk, name, external_id in people),
        key=lambda row: (-row.tally.overdue, row.name, row.external_id),
    )
    total = sum((row.tally for row in rows), register.Tally())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    deadlines = view.deadlines
    return render(
        request,
        "notes/register.html",
        {
            "form": view.form,
            "as_of": view.as_of,
            "service": view.service,
            "own_service": view.own_service,
            "page": page,
            "rows": page.object_list,
            "total": total,
            "total_words": in_words(total),
            "supervisors": len(rows),
            "share_days": deadlines.share_days,
            "response_days": deadlines.response_days,
            "region": view.policy.get_holiday_region_display(),
            "query": query.urlencode(),
        },
    )


def register_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The rows of the page's one-to-ones, as `coreflect notes-register --format csv`."""
    view = register_view(request)
    lines = register.lines(view.sessions, as_of=view.as_of, deadlines=view.deadlines)
    record(
        by=request.user,
        action="export.notes_register",
        format="csv",
        as_of=view.as_of.isoformat(),
        service=view.service.name if view.service is not None else "",
        filename=view.filename,
    )
    return exports.csv_response(register.csv_table(lines), filename=f"{view.filename}.csv")


urlpatterns: list[URLPattern] = [
    path("register/", register_page, name="register"),
    path("register.csv", register_csv, name="register_csv"),
]
