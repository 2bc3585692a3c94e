import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet

from coreflect.compliance import rules
from coreflect.compliance.models import PolicySettings
from coreflect.forms import NHSFormMixin
from coreflect.people.models import AbsenceType, Locality, Person, Service
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


@dataclass(frozen=True)
class MatrixParams:
    start_year: int
    as_of: dt.date
    status: str
    period: str


class MatrixFilterForm(NHSFormMixin, forms.Form):
    """The matrix's filters. Invalid values fall back to defaults rather than erroring,
    so a bookmarked link never breaks."""

    year = forms.TypedChoiceField(label="Recording year", coerce=int, required=False)
    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Counts sessions up to this date. Today by default.",
    )
    # Plain choices, each list read in one query (a model choice field reads through a
    # server-side cursor on PostgreSQL: more round trips, on the busiest page).
    service = forms.TypedChoiceField(coerce=int, required=False)
    locality = forms.TypedChoiceField(coerce=int, required=False)
    supervisor = forms.ChoiceField(choices=[("", "All supervisors")], required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *[(s.value, s.label) for s in rules.Status]],
        required=False,
    )
    period = forms.ChoiceField(label="In", choices=PERIOD_CHOICES, required=False)

    def __init__(
        self,
        data: Any,
        *,
        people: QuerySet[Person] | None,
        today: dt.date,
        policy: rules.Policy,
        everyone: bool = False,
    ) -> None:
        super().__init__(data)
        self.today = today
        self.policy = policy
        current = rules.year_containing(today, policy)
        self.fields["year"].choices = [  # type: ignore[attr-defined]
            (y, rules.recording_year(y, policy).label) for y in range(current + 1, current - 6, -1)
        ]
        self.fields["year"].initial = current
        if people is not None:
            self._offer_choices(people, everyone=everyone, today=today)

    def _offer_choices(self, people: QuerySet[Person], *, everyone: bool, today: dt.date) -> None:
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
        supervising = SupervisionRelationship.objects.current(today).peer_work()
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
        value = self.data.get(name, "") if self.is_bound else ""
        return int(value) if str(value).isdigit() else None

    def params(self) -> MatrixParams:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        as_of = data.get("as_of") or self.today
        start_year = data.get("year") or rules.year_containing(as_of, self.policy)
        return MatrixParams(
            start_year=start_year,
            as_of=as_of,
            status=data.get("status") or "",
            period=data.get("period") or "",
        )

    def filter_people(self, people: QuerySet[Person]) -> QuerySet[Person]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("service"):
            people = people.filter(service=data["service"])
        if data.get("locality"):
            people = people.filter(locality=data["locality"])
        if data.get("supervisor"):
            supervised = SupervisionRelationship.objects.current(self.params().as_of).peer_work()
            if data["supervisor"] == NO_SUPERVISOR:
                people = people.exclude(pk__in=supervised.values("supervisee"))
            else:
                people = people.filter(
                    pk__in=supervised.filter(supervisor__external_id=data["supervisor"]).values(
                        "supervisee"
                    )
                )
        return people


class PolicyForm(NHSFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    prorating_absence_types = forms.MultipleChoiceField(
        label="Other absence types that reduce requirements",
        choices=AbsenceType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Long-term sickness always does. Tick any other absence type that should.",
    )

    class Meta:
        model = PolicySettings
        fields = [
            "year_start_month",
            "quarter_one_to_one",
            "quarter_co_reflection",
            "year_total",
            "long_term_sickness_days",
            "prorating_absence_types",
            "rounding",
            "location_notice_days",
            "one_to_one_minutes",
            "co_reflection_minutes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
