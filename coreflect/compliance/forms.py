import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils.text import slugify

from coreflect.compliance import rules
from coreflect.forms import NHSFormMixin, QuickSelect
from coreflect.people.models import Locality, Person, Service
from coreflect.supervision.access import (
    manages_anyone,
    reports_of,
    supervisees_of,
    supervises_anyone,
)
from coreflect.supervision.models import SupervisionRelationship

# The supervisor filter's value for people with no current peer work supervisor.
NO_SUPERVISOR = "none"

PERIOD_CHOICES = [
    ("", "Any period"),
    ("1", "Quarter 1"),
    ("2", "Quarter 2"),
    ("3", "Quarter 3"),
    ("4", "Quarter 4"),
    ("year", "The year"),
]

# The "People" filter: the signed-in person's own reports or supervisees.
MY_REPORTS = "reports"
MY_SUPERVISEES = "supervisees"
MINE_CHOICES = {MY_REPORTS: "My reports", MY_SUPERVISEES: "My supervisees"}


@dataclass(frozen=True)
class MatrixParams:
    start_year: int
    as_of: dt.date
    status: str
    period: str
    # The quarter a narrow screen shows beside the year (1–4).
    quarter: int = 1


class MatrixFilterForm(NHSFormMixin, forms.Form):
    """The matrix's filters. A value that is not valid falls back to its default (the other
    filters still apply) rather than erroring, so a bookmarked link never breaks."""

    year = forms.TypedChoiceField(
        label="Recording year", coerce=int, required=False, widget=QuickSelect
    )
    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Counts sessions up to this date. Today by default.",
        # Recording years around these dates still fit in a calendar (year 1 to 9999).
        validators=[
            MinValueValidator(dt.date(1900, 1, 1)),
            MaxValueValidator(dt.date(9998, 12, 31)),
        ],
    )
    # Offered only to people with reports or supervisees (see __init__).
    mine = forms.ChoiceField(label="People", required=False, widget=QuickSelect)
    # Plain choices, each list read in one query (a model choice field reads through a
    # server-side cursor on PostgreSQL: more round trips, on the busiest page).
    service = forms.TypedChoiceField(coerce=int, required=False, widget=QuickSelect)
    locality = forms.TypedChoiceField(coerce=int, required=False, widget=QuickSelect)
    supervisor = forms.ChoiceField(
        choices=[("", "All supervisors")], required=False, widget=QuickSelect
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *[(s.value, s.label) for s in rules.Status]],
        required=False,
        widget=QuickSelect,
    )
    period = forms.ChoiceField(
        label="In", choices=PERIOD_CHOICES, required=False, widget=QuickSelect
    )
    # Not a filter: which quarter a narrow screen shows beside the year. Chosen with the links
    # above the matrix, not in the form.
    quarter = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, f"Quarter {n}") for n in range(1, 5)],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(
        self,
        data: Any,
        *,
        people: QuerySet[Person] | None,
        today: dt.date,
        policy: rules.Policy,
        everyone: bool = False,
        me: Person | None = None,
    ) -> None:
        super().__init__(data)
        self.today = today
        self.policy = policy
        self.me = me
        current = rules.year_containing(today, policy)
        self.fields["year"].choices = [  # type: ignore[attr-defined]
            (y, rules.recording_year(y, policy).label) for y in range(current + 1, current - 6, -1)
        ]
        self.fields["year"].initial = current
        self._show_default_year()
        self._offer_mine(me, today=today)
        if people is not None:
            self._offer_choices(people, everyone=everyone)

    def _show_default_year(self) -> None:
        """Without a valid year in the address (say ?service=3), the year list shows the one
        the matrix defaults to, the year holding the as-of date: a list shows its first option
        when its value is not among them, and applying the filters would then change year."""
        offered = {str(value) for value, _ in self.fields["year"].choices}  # type: ignore[attr-defined]
        if not self.is_bound or str(self.data.get("year", "")) in offered:
            return
        self.data = {
            **dict(self.data.items()),
            "year": str(rules.year_containing(self._as_of_sent(), self.policy)),
        }

    def _as_of_sent(self) -> dt.date:
        """The as-of date as sent, if valid, else today: for what is set up before the form is
        validated."""
        try:
            return self.fields["as_of"].clean(self.data.get("as_of", "")) or self.today
        except forms.ValidationError:
            return self.today

    def _offer_mine(self, me: Person | None, *, today: dt.date) -> None:
        """Offers "My reports" to anyone who line manages someone today, "My supervisees" to
        anyone who supervises someone in peer work today; no field at all for the rest, so the
        value is ignored if sent."""
        offered = []
        if me is not None:
            if manages_anyone(me, on=today):
                offered.append((MY_REPORTS, MINE_CHOICES[MY_REPORTS]))
            if supervises_anyone(me, on=today):
                offered.append((MY_SUPERVISEES, MINE_CHOICES[MY_SUPERVISEES]))
        if offered:
            self.fields["mine"].choices = [("", "Everyone you can see"), *offered]  # type: ignore[attr-defined]
        else:
            del self.fields["mine"]

    def _offer_choices(self, people: QuerySet[Person], *, everyone: bool) -> None:
        """Services, localities and supervisors of the people the user may see. Once a
        service is chosen, only its localities and supervisors: a national organisation has
        thousands of supervisors, too many for one list."""
        services = Service.objects.order_by("name")
        localities = Locality.objects.order_by("service__name", "name")
        if not everyone:
            services = services.filter(pk__in=people.values("service"))
            localities = localities.filter(pk__in=people.values("locality"))
        service = self._chosen("service")
        if service is not None:
            people = people.filter(service=service)
            localities = localities.filter(service=service)
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            ("", "All services"),
            *services.values_list("pk", "name"),
        ]
        self.fields["locality"].choices = [  # type: ignore[attr-defined]
            ("", "All localities"),
            *localities.values_list("pk", "name"),
        ]
        supervising = SupervisionRelationship.objects.current(self.supervision_day()).peer_work()
        if everyone and service is not None:
            supervising = supervising.filter(supervisee__service=service)
        elif not everyone:
            supervising = supervising.filter(supervisee__in=people.values("pk"))
        supervisors = Person.objects.filter(pk__in=supervising.values("supervisor")).order_by(
            "name", "pk"
        )
        self.fields["supervisor"].choices = [  # type: ignore[attr-defined]
            ("", "All supervisors"),
            (NO_SUPERVISOR, "No peer work supervisor"),
            *supervisors.values_list("external_id", "name"),
        ]

    def _chosen(self, name: str) -> int | None:
        """The raw primary key chosen in a filter, before validation (None if not a number)."""
        value = str(self.data.get(name, "") if self.is_bound else "")
        return int(value) if value.isascii() and value.isdigit() else None

    @property
    def valid_data(self) -> dict[str, Any]:
        """The values that are valid, each invalid one left out (so it takes its default)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def params(self) -> MatrixParams:
        data = self.valid_data
        as_of = data.get("as_of") or self.today
        start_year = data.get("year") or rules.year_containing(as_of, self.policy)
        period = data.get("period") or ""
        return MatrixParams(
            start_year=start_year,
            as_of=as_of,
            status=data.get("status") or "",
            period=period,
            quarter=data.get("quarter")
            or default_quarter(
                rules.recording_year(start_year, self.policy), as_of=as_of, period=period
            ),
        )

    def supervision_day(self) -> dt.date:
        """The day whose relationships the rows show (rules.day_within the chosen year), from
        the values as sent: the supervisor list is made before the form is validated."""
        as_of = self._as_of_sent() if self.is_bound else self.today
        start_year = self._chosen("year") or rules.year_containing(as_of, self.policy)
        return rules.day_within(rules.recording_year(start_year, self.policy), as_of)

    def filter_people(self, people: QuerySet[Person]) -> QuerySet[Person]:
        data = self.valid_data
        on = self.params().as_of
        if data.get("mine") == MY_REPORTS and self.me is not None:
            people = people.filter(pk__in=reports_of(self.me, on=on).values("pk"))
        elif data.get("mine") == MY_SUPERVISEES and self.me is not None:
            people = people.filter(pk__in=supervisees_of(self.me, on=on).values("pk"))
        if data.get("service"):
            people = people.filter(service=data["service"])
        if data.get("locality"):
            people = people.filter(locality=data["locality"])
        if data.get("supervisor"):
            # The day whose supervisor each row shows, not the as-of date itself (which may
            # be after the chosen year).
            supervised = SupervisionRelationship.objects.current(self.supervision_day()).peer_work()
            if data["supervisor"] == NO_SUPERVISOR:
                people = people.exclude(pk__in=supervised.values("supervisee"))
            else:
                people = people.filter(
                    pk__in=supervised.filter(supervisor__external_id=data["supervisor"]).values(
                        "supervisee"
                    )
                )
        return people

    def chosen_filters(self) -> list[tuple[str, str]]:
        """The filters in use, in words, with a short form of each for a file name:
        [("Service: North", "north"), ("Status: At risk in quarter 1", "at-risk-q1")]."""
        data = self.valid_data
        chosen: list[tuple[str, str]] = []
        if data.get("mine"):
            words = MINE_CHOICES[data["mine"]]
            chosen.append((words, slugify(words)))
        for name in ("service", "locality", "supervisor"):
            if data.get(name):
                words = dict(self.fields[name].choices)[data[name]]  # type: ignore[attr-defined]
                if data[name] == NO_SUPERVISOR:
                    chosen.append((words, "no-supervisor"))
                else:
                    chosen.append((f"{self[name].label}: {words}", slugify(words)))
        if data.get("status"):
            status = rules.Status(data["status"])
            period = data.get("period") or ""
            words, short = f"Status: {status.label}", slugify(status.label)
            if period == "year":
                words, short = f"{words} in the year", f"{short}-year"
            elif period:
                words, short = f"{words} in quarter {period}", f"{short}-q{period}"
            chosen.append((words, short))
        return chosen

    def chosen_quarter(self) -> int | None:
        """The quarter chosen for narrow screens, if one was (kept when filters change)."""
        return self.valid_data.get("quarter")


def default_quarter(year: rules.Period, *, as_of: dt.date, period: str) -> int:
    """The quarter a narrow screen shows by default: the one a status filter asks about, else
    the one containing the as-of date (the first or last if it falls outside the year)."""
    if period in {"1", "2", "3", "4"}:
        return int(period)
    if as_of < year.start:
        return 1
    for number, quarter in enumerate(rules.quarters(year), start=1):
        if quarter.contains(as_of):
            return number
    return 4
