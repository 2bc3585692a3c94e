from typing import Any

from django import forms
from django.db.models import QuerySet

from coreflect.forms import NHSFormMixin
from coreflect.people.models import AbsenceType, Person, Role
from coreflect.policy.models import PolicySettings
from coreflect.supervision import rules
from coreflect.supervision.models import AttendanceStatus, Modality, RelationshipType


def date_input() -> forms.DateInput:
    # A browser's date picker only accepts ISO values; the en-GB default (23/11/2026) would
    # leave it blank.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_role_display()})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        place = f", {obj.locality}" if obj.locality_id else ""
        return f"{obj.name} ({obj.get_role_display()}{place})"


class SessionDetailsForm(NHSFormMixin, forms.Form):
    date = forms.DateField(widget=date_input())
    start_time = forms.TimeField(widget=time_input())
    duration_minutes = forms.IntegerField(label="Length in minutes", min_value=1, max_value=24 * 60)
    modality = forms.ChoiceField(
        label="How will you meet?", choices=Modality.choices, widget=forms.RadioSelect
    )
    location = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        notice_days = PolicySettings.objects.current().location_notice_days
        self.fields["location"].help_text = (
            "Where you will meet, or the call link. Tell the supervisee at least "
            f"{notice_days} days ahead; later is allowed but flagged."
        )


class OneToOneForm(SessionDetailsForm):
    supervisee = PersonChoiceField(queryset=Person.objects.none(), empty_label="Choose a person")
    field_order = ["supervisee", "date", "start_time", "duration_minutes", "modality", "location"]

    def __init__(self, *args: Any, supervisees: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisee"].queryset = supervisees  # type: ignore[attr-defined]
        self.fields["supervisee"].help_text = "People you supervise in peer work now."


class CoReflectionForm(SessionDetailsForm):
    participants = PeopleChoiceField(
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone invited. You facilitate, so you are not counted as a participant.",
    )

    def __init__(self, *args: Any, candidates: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = candidates  # type: ignore[attr-defined]


class EditSessionForm(SessionDetailsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CancelForm(NHSFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    cancelled_by_side = forms.ChoiceField(
        label="Who cancelled?",
        choices=[("supervisee", "The supervisee"), ("supervisor", "The supervisor")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    alternative_offered = forms.CharField(
        label="Alternative date offered",
        required=False,
        max_length=200,
        help_text="For example, Tuesday 3 March at 2pm. Offer one where you reasonably can.",
    )


REGISTER_CHOICES = [
    (s.value, s.label)
    for s in AttendanceStatus
    if s not in {AttendanceStatus.CANCELLED_BY_SUPERVISEE, AttendanceStatus.CANCELLED_BY_SUPERVISOR}
]


class RegisterForm(forms.Form):
    """One status select per participant: `status_<person id>`."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, attendance: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = attendance
        for row in attendance:
            choices = list(REGISTER_CHOICES)
            if row.status not in dict(choices):
                choices.append((row.status, row.get_status_display()))
            self.fields[f"status_{row.person_id}"] = forms.ChoiceField(
                label=row.person.name,
                choices=choices,
                initial=row.status,
                widget=forms.Select(attrs={"class": "nhsuk-select"}),
            )

    def statuses(self) -> dict[int, str]:
        return {row.person_id: self.cleaned_data[f"status_{row.person_id}"] for row in self.rows}

    def register_rows(self) -> list[tuple[Any, forms.BoundField]]:
        return [(row, self[f"status_{row.person_id}"]) for row in self.rows]


class RelationshipForm(NHSFormMixin, forms.Form):
    supervisee = PersonChoiceField(queryset=Person.objects.none())
    supervisor = PersonChoiceField(queryset=Person.objects.none())
    type = forms.ChoiceField(choices=RelationshipType.choices, widget=forms.RadioSelect)
    start_date = forms.DateField(widget=date_input())
    end_date = forms.DateField(
        required=False,
        widget=date_input(),
        help_text="Leave blank while it continues.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.order_by("name")
        self.fields["supervisee"].queryset = people.peer_workers()  # type: ignore[attr-defined]
        # Governance and administrator accounts are not offered (rules.may_supervise).
        supervising = [role for role in Role.values if rules.may_supervise(role)]
        self.fields["supervisor"].queryset = people.filter(role__in=supervising)  # type: ignore[attr-defined]
        self.fields[
            "supervisor"
        ].help_text = "Someone without a peer-work role is recorded as a non-peer supervisor."


def _supervisors() -> QuerySet[Person]:
    """Who may be made a supervisor: governance and administrator accounts are not offered
    (rules.may_supervise)."""
    supervising = [role for role in Role.values if rules.may_supervise(role)]
    return Person.objects.order_by("name").filter(role__in=supervising)


class CorrectRelationshipForm(NHSFormMixin, forms.Form):
    """Correct what was recorded wrongly: the kind of relationship, or its first day."""

    type = forms.ChoiceField(
        label="Kind of relationship", choices=RelationshipType.choices, widget=forms.RadioSelect
    )
    start_date = forms.DateField(label="First day", widget=date_input())
    opened = forms.CharField(widget=forms.HiddenInput)


class MoveRelationshipForm(NHSFormMixin, forms.Form):
    """The supervisee moves to a new supervisor from a date."""

    supervisor = PersonChoiceField(
        label="New supervisor",
        queryset=Person.objects.none(),
        help_text="Someone without a peer-work role is recorded as a non-peer supervisor.",
    )
    from_date = forms.DateField(
        label="From",
        widget=date_input(),
        help_text="The new supervisor's first day. The current relationship ends the day before.",
    )
    opened = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = _supervisors()  # type: ignore[attr-defined]


class EndRelationshipForm(NHSFormMixin, forms.Form):
    end_date = forms.DateField(
        label="Last day of the relationship",
        widget=date_input(),
        help_text="The supervisor still supervises on this day, and no longer from the next.",
    )
    confirm = forms.BooleanField(
        label="Yes, end this relationship",
        error_messages={"required": "Tick the box to confirm you want to end the relationship"},
    )


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


class SeriesForm(NHSFormMixin, forms.Form):
    """A series' rule, dates and session details (a group's name; its members, or the
    supervisee of one-to-ones, when it is set up)."""

    name = forms.CharField(label="Group name", max_length=200)
    recurrence = forms.CharField(
        label="Meets",
        max_length=200,
        help_text="An iCalendar rule: FREQ=MONTHLY;BYDAY=-1WE is the last Wednesday of each "
        "month, FREQ=MONTHLY;BYDAY=+2TU the second Tuesday, FREQ=WEEKLY;INTERVAL=2 every other "
        "week from the start date.",
    )
    start_date = forms.DateField(label="First day", widget=date_input())
    end_date = forms.DateField(
        label="Last day", required=False, widget=date_input(), help_text="Leave blank: open."
    )
    start_time = forms.TimeField(widget=time_input())
    duration_minutes = forms.IntegerField(label="Length in minutes", min_value=1, max_value=24 * 60)
    modality = forms.ChoiceField(
        label="How will you meet?", choices=Modality.choices, widget=forms.RadioSelect
    )
    location = forms.CharField(required=False, max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind != "co_reflection":
            del self.fields["name"]

    def clean_recurrence(self) -> str:
        from coreflect.policy.recurrence import normalise, recurrence_problem

        value = str(self.cleaned_data["recurrence"])
        problem = recurrence_problem(value)
        if problem is not None:
            raise forms.ValidationError(problem[0].upper() + problem[1:] + ".")
        return normalise(value)


class NewGroupForm(SeriesForm):
    members = PeopleChoiceField(
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Members from the first day; add and remove members later on the group's "
        "page. You facilitate, so you are not a member.",
    )

    def __init__(self, *args: Any, candidates: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, kind="co_reflection", **kwargs)
        self.fields["members"].queryset = candidates  # type: ignore[attr-defined]


class NewOneToOneSeriesForm(SeriesForm):
    supervisee = PersonChoiceField(queryset=Person.objects.none(), empty_label="Choose a person")
    field_order = ["supervisee"]

    def __init__(self, *args: Any, supervisees: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, kind="one_to_one", **kwargs)
        self.fields["supervisee"].queryset = supervisees  # type: ignore[attr-defined]


class AddMemberForm(NHSFormMixin, forms.Form):
    person = PersonChoiceField(
        label="Who joins", queryset=Person.objects.none(), empty_label="Choose a person"
    )
    start_date = forms.DateField(label="From", widget=date_input())
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, candidates: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = candidates  # type: ignore[attr-defined]


class EndMemberForm(NHSFormMixin, forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    end_date = forms.DateField(label="Last day in the group", widget=date_input())
    version = forms.IntegerField(widget=forms.HiddenInput)
