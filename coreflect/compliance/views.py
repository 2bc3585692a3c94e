import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coreflect.authorization import Permission, has_permission, person_of
from coreflect.compliance import actions, exports, matrix, rules
from coreflect.compliance.forms import MatrixFilterForm, MatrixParams, PolicyForm
from coreflect.compliance.models import PolicySettings
from coreflect.people.access import get_person_for, sees_everyone, visible_people
from coreflect.people.models import Person
from coreflect.supervision.models import Attendance, SupervisionRelationship

# Rows of the matrix on one page: enough to scan, few enough to open quickly on a phone.
PAGE_SIZE = 50


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

    def rows(self) -> list[matrix.Row]:
        """Everyone who matches the filters, for the downloads."""
        rows = matrix.build(
            self.people, start_year=self.params.start_year, as_of=self.as_of, policy=self.policy
        )
        if self.params.status:
            rows = [row for row in rows if row.has_status(self.params.status, self.params.period)]
        return rows

    def page(self, number: str | None) -> Page:
        """One page of rows. Without a status filter only that page's people are computed;
        a status is known only once computed, so filtering by one computes everyone."""
        if self.params.status:
            return Paginator(self.rows(), PAGE_SIZE).get_page(number)
        members = matrix.in_year(self.people, self.year).order_by("name", "pk")
        # One query for everyone's ids and revision tokens (a count and a slice would be two).
        named = members.annotate(revision=matrix.REVISION).values_list("pk", "revision")
        ids = Paginator(list(named), PAGE_SIZE).get_page(number)
        rows = matrix.build_named(
            list(ids.object_list),
            start_year=self.params.start_year,
            as_of=self.as_of,
            policy=self.policy,
        )
        return Page(rows, ids.number, ids.paginator)


def filtered_matrix(request: HttpRequest) -> MatrixView:
    today = timezone.localdate()
    policy = PolicySettings.objects.current().values()
    people = visible_people(request.user, on=today)
    form = MatrixFilterForm(
        request.GET or None,
        people=people,
        today=today,
        policy=policy,
        everyone=sees_everyone(request.user),
    )
    return MatrixView(form, form.params(), policy, form.filter_people(people))


# Names listed under each heading of the dashboard; the matrix has the rest.
LISTED = 20


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: how the people I can see are doing this quarter and this year."""
    today = timezone.localdate()
    policy = PolicySettings.objects.current().values()
    start_year = rules.year_containing(today, policy)
    rows = matrix.build(
        visible_people(request.user, on=today), start_year=start_year, as_of=today, policy=policy
    )
    quarter_number = next(
        n
        for n, q in enumerate(rules.quarters(rules.recording_year(start_year, policy)), 1)
        if q.contains(today)
    )
    quarter_counts = Counter(row.result.quarters[quarter_number - 1].status for row in rows)
    year_counts = Counter(row.result.year.status for row in rows)
    attention = [
        row
        for row in rows
        if row.result.quarters[quarter_number - 1].status
        in {rules.Status.AT_RISK, rules.Status.NOT_MET}
        or row.result.year.status in {rules.Status.AT_RISK, rules.Status.NOT_MET}
    ]
    unsupervised = [row.person for row in rows if row.supervisor is None]
    return render(
        request,
        "compliance/home.html",
        {
            "rows": rows,
            "quarter_number": quarter_number,
            "today": today,
            "year_label": rules.recording_year(start_year, policy).label,
            "summary": [
                (status, quarter_counts.get(status, 0), year_counts.get(status, 0))
                for status in rules.Status
            ],
            "attention": attention[:LISTED],
            "attention_more": len(attention) - LISTED,
            "unsupervised": unsupervised[:LISTED],
            "unsupervised_more": len(unsupervised) - LISTED,
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


def matrix_csv(request: HttpRequest) -> StreamingHttpResponse:
    view = filtered_matrix(request)
    response = StreamingHttpResponse(
        exports.csv_lines(matrix.as_table(view.rows())), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(view.year, view.as_of)}.csv"'
    )
    return response


def matrix_xlsx(request: HttpRequest) -> FileResponse:
    view = filtered_matrix(request)
    return exports.xlsx_response(
        matrix.as_table(view.rows()),
        filename=f"{exports.filename(view.year, view.as_of)}.xlsx",
        title=f"Attendance {view.year.label} as of {view.as_of:%d %b %Y}",
    )


def person_page(request: HttpRequest, external_id: str) -> HttpResponse:
    """One person's attendance, with the arithmetic behind every requirement."""
    today = timezone.localdate()
    person = get_person_for(request.user, external_id, on=today)
    policy = PolicySettings.objects.current().values()
    form = MatrixFilterForm(request.GET or None, people=None, today=today, policy=policy)
    params = form.params()
    year = rules.recording_year(params.start_year, policy)
    rows = matrix.build(
        visible_people(request.user, on=today).filter(pk=person.pk),
        start_year=params.start_year,
        as_of=params.as_of,
        policy=policy,
    )
    attendance = (
        Attendance.objects.filter(person=person, session__date__range=(year.start, year.end))
        .select_related("session", "session__lead")
        .order_by("session__date", "session__start_time")
    )
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
            "attendance": attendance,
            "employment": person.employment.all(),
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
        },
    )


def policy_page(request: HttpRequest) -> HttpResponse:
    if not has_permission(request.user, Permission.CHANGE_POLICY):
        raise Http404("No such page")
    policy = PolicySettings.objects.current()
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_policy(
                by=request.user,  # type: ignore[arg-type]
                policy=policy,
                version=form.cleaned_data["version"],
                changes=form.changes(),
            )
        except actions.StalePolicy:
            messages.error(
                request,
                "Someone else changed the policy since you opened it. Your changes were not "
                "saved; the page now shows the current policy.",
            )
        else:
            messages.success(request, "Policy saved.")
        return redirect("compliance:policy")
    return render(request, "compliance/policy.html", {"form": form, "policy": policy})


def who_am_i(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own page (a peer worker's natural start)."""
    me = person_of(request.user)
    if me is None:
        raise Http404("No person record")
    return redirect("compliance:person", external_id=me.external_id)
