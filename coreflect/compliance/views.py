import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coreflect.agreements import access as agreement_access
from coreflect.agreements import standing as agreement_standing
from coreflect.audit.actions import record
from coreflect.authorization import person_of
from coreflect.compliance import exports, matrix, rules
from coreflect.compliance.forms import MatrixFilterForm, MatrixParams
from coreflect.compliance.models import current_policy
from coreflect.people.models import Person
from coreflect.supervision.access import (
    get_person_for,
    may_record_absence_of,
    registers_for,
    sees_everyone,
    visible_people,
    with_registers,
)
from coreflect.supervision.models import (
    NOT_COMING,
    Attendance,
    Session,
    SupervisionRelationship,
)

# Rows of the matrix on one page: enough to scan, few enough to open quickly on a phone.
PAGE_SIZE = 50
# A peer worker's next sessions at the top of their own page.
NEXT_SESSIONS = 5


@dataclass(frozen=True)
class MatrixView:
    """A filtered matrix: the form, the year and the people the user may see in it."""

    form: MatrixFilterForm
    params: MatrixParams
    policy: rules.Policy
    people: QuerySet[Person]

    @property
    def as_of(self) -> dt.date:
        return self.params.as_of

    @property
    def year(self) -> rules.Period:
        return rules.recording_year(self.params.start_year, self.policy)

    @property
    def context(self) -> matrix.Context:
        return matrix.Context(self.params.start_year, self.as_of, self.policy)

    def rows(self) -> list[matrix.Row]:
        """Everyone who matches the filters, for the downloads."""
        rows = matrix.build(
            self.people, start_year=self.params.start_year, as_of=self.as_of, policy=self.policy
        )
        if self.params.status:
            rows = [row for row in rows if row.has_status(self.params.status, self.params.period)]
        return rows

    def page(self, number: str | None) -> Page:
        """One page of rows, read from the stored results (filtered by status in SQL)."""
        return matrix.page(
            self.people,
            self.context,
            number=number,
            size=PAGE_SIZE,
            status=self.params.status,
            period=self.params.period,
        )


def filtered_matrix(request: HttpRequest) -> MatrixView:
    today = timezone.localdate()
    policy = current_policy()
    people = visible_people(request.user, on=today)
    form = MatrixFilterForm(
        request.GET or None,
        people=people,
        today=today,
        policy=policy,
        everyone=sees_everyone(request.user),
        me=person_of(request.user),
    )
    return MatrixView(form, form.params(), policy, form.filter_people(people))


# Names listed under each heading of the overview; the matrix, filtered, has the rest.
LISTED = 20


def home(request: HttpRequest) -> HttpResponse:
    """The overview: how the people I can see are doing this quarter and this year, counted
    and listed from their stored results (matrix.overview)."""
    today = timezone.localdate()
    policy = current_policy()
    context = matrix.Context(rules.year_containing(today, policy), today, policy)
    overview = matrix.overview(visible_people(request.user, on=today), context, listed=LISTED)
    # Agreements the user may read that need signing or a review (spec §6).
    agreements_due = agreement_standing.due(
        today=today, relationships=agreement_access.readable(request.user, on=today)
    )
    return render(
        request,
        "compliance/home.html",
        {
            "overview": overview,
            "today": today,
            "year_label": context.year.label,
            "at_risk_more": overview.at_risk_count - len(overview.at_risk),
            "missed_more": overview.missed_count - len(overview.missed),
            "unsupervised_more": overview.unsupervised_count - len(overview.unsupervised),
            "agreements_due": agreements_due[:LISTED],
            "agreements_due_more": len(agreements_due) - LISTED,
        },
    )


def matrix_page(request: HttpRequest) -> HttpResponse:
    view = filtered_matrix(request)
    page = view.page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": view.form,
        "year": view.year,
        "as_of": view.as_of,
        "page": page,
        "rows": page.object_list,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "quarters": rules.quarters(view.year),
        "query": query.urlencode(),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "compliance/matrix.html#results", context)
    return render(request, "compliance/matrix.html", context)


def _record_download(request: HttpRequest, view: "MatrixView", file_format: str) -> None:
    """A download of people's attendance is a disclosure of personal data: on the record."""
    record(
        by=request.user,
        action="export.matrix",
        format=file_format,
        year=view.year.label,
        as_of=view.as_of.isoformat(),
        filters=[words for words, _ in view.form.chosen_filters()],
    )


def matrix_csv(request: HttpRequest) -> StreamingHttpResponse:
    view = filtered_matrix(request)
    short = [short for _, short in view.form.chosen_filters()]
    _record_download(request, view, "csv")
    return exports.csv_response(
        matrix.as_table(view.rows()),
        filename=f"{exports.filename(view.year, view.as_of, short)}.csv",
    )


def matrix_xlsx(request: HttpRequest) -> FileResponse:
    view = filtered_matrix(request)
    filters = view.form.chosen_filters()
    _record_download(request, view, "xlsx")
    return exports.xlsx_response(
        matrix.as_table(view.rows()),
        filename=f"{exports.filename(view.year, view.as_of, [s for _, s in filters])}.xlsx",
        title=exports.title(view.year, view.as_of, [words for words, _ in filters]),
    )


def person_page(request: HttpRequest, external_id: str) -> HttpResponse:
    """One person's attendance, with the arithmetic behind every requirement."""
    today = timezone.localdate()
    person = get_person_for(request.user, external_id, on=today)
    policy = current_policy()
    form = MatrixFilterForm(request.GET or None, people=None, today=today, policy=policy)
    params = form.params()
    year = rules.recording_year(params.start_year, policy)
    rows = matrix.build(
        visible_people(request.user, on=today).filter(pk=person.pk),
        start_year=params.start_year,
        as_of=params.as_of,
        policy=policy,
    )
    # Registers as the viewer may read them (supervision.access): the person's own line always
    # (the viewer may see their record), the session's cancellation reason only where the
    # viewer sees everyone on it.
    in_year = with_registers(
        Session.objects.filter(
            attendance__person=person, date__range=(year.start, year.end)
        ).order_by("date", "start_time")
    )
    is_me = person == person_of(request.user)
    coming: list[Session] = []
    if is_me and person.is_peer_worker:
        coming = list(
            with_registers(
                Session.objects.filter(
                    date__gte=today,
                    cancelled_at__isnull=True,
                    pk__in=Attendance.objects.filter(person=person)
                    .exclude(status__in=NOT_COMING)
                    .values("session"),
                ).order_by("date", "start_time")
            )[:NEXT_SESSIONS]
        )
    registers = registers_for(request.user, [*coming, *in_year], on=today)
    absences = person.absences.filter(end_date__gte=year.start, start_date__lte=year.end)
    prorating = rules.prorating_absences(
        [rules.Absence(a.type, a.start_date, a.end_date) for a in absences], policy
    )
    return render(
        request,
        "compliance/person.html",
        {
            "person": person,
            "form": form,
            "year": year,
            "as_of": params.as_of,
            "row": rows[0] if rows else None,
            "is_me": is_me,
            "next_sessions": [(r, r.others(person)) for r in registers[: len(coming)]],
            "attendance": [(r, r.line_of(person)) for r in registers[len(coming) :]],
            "employment": person.employment.all(),
            "may_record_absence": may_record_absence_of(person_of(request.user), person, on=today),
            "placements": person.placements.select_related("service", "locality").order_by(
                "-start_date"
            ),
            "absences": [
                (
                    a,
                    any(
                        s.start <= a.start_date and a.end_date <= (s.end or a.end_date)
                        for s in prorating
                    ),
                )
                for a in absences
            ],
            "relationships": SupervisionRelationship.objects.filter(supervisee=person)
            .select_related("supervisor")
            .order_by("-start_date"),
            "policy": policy,
            # The agreements the viewer may read (agreements.access), with where each stands.
            "agreements": agreement_standing.standings(
                agreement_access.readable(request.user, on=today)
                .filter(Q(supervisee=person) | Q(supervisor=person))
                .current(today)
                .order_by("-start_date"),
                today=today,
            ),
        },
    )


def who_am_i(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own page (a peer worker's natural start, with their next
    sessions); someone without a peer-work role has no row of the matrix, so the overview of
    the people they can see is theirs."""
    me = person_of(request.user)
    if me is None:
        raise Http404("No person record")
    if not me.is_peer_worker:
        return redirect("home")
    return redirect("compliance:person", external_id=me.external_id)
