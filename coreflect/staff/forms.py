"""The people pages' forms. They read what was typed; the rules of what a person's record may
hold are checked once, by the actions (staff/actions.py, people/rules.py), whose refusals the
views show on the field they are about."""

from typing import Any

from django import forms

from coreflect.forms import NHSFormMixin
from coreflect.people.models import PRIVILEGED_ROLES, Locality, Person, Role, Service
from coreflect.staff.listing import Filters
from coreflect.supervision.forms import date_input

ROLES_HERE = [(value, label) for value, label in Role.choices if value not in PRIVILEGED_ROLES]


class PeopleFilterForm(NHSFormMixin, forms.Form):
    text = forms.CharField(
        label="Name, person ID or email",
        required=False,
        max_length=200,
        help_text="Part of a name or email address, or the start of a person ID.",
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.order_by("name"), required=False, empty_label="Every service"
    )
    role = forms.ChoiceField(choices=[("", "Every role"), *Role.choices], required=False)

    def filters(self) -> Filters:
        """The search this (valid or unbound) form asks for."""
        data = self.cleaned_data if self.is_bound else {}
        service = data.get("service")
        return Filters(
            text=(data.get("text") or "").strip(),
            service=service.pk if service else None,
            role=data.get("role") or "",
        )


def _localities() -> list[tuple[Any, Any]]:
    """Every locality, under its service's name."""
    grouped: dict[str, list[tuple[int, str]]] = {}
    for locality in Locality.objects.select_related("service").order_by("service__name", "name"):
        grouped.setdefault(locality.service.name, []).append((locality.pk, locality.name))
    return [("", "No locality"), *grouped.items()]


class PersonForm(NHSFormMixin, forms.Form):
    """Name, email, line manager, role and team: what adding and changing a person share."""

    name = forms.CharField(max_length=200, error_messages={"required": "Enter the name"})
    email = forms.CharField(
        label="Email address",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Their work address. No two people may have the same one.",
    )
    role = forms.ChoiceField(
        choices=[("", "Choose a role"), *ROLES_HERE],
        help_text="Administrator, governance and head of peer work are granted by an "
        "administrator on the person's role page.",
        error_messages={"required": "Select the role"},
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.order_by("name"), required=False, empty_label="No service"
    )
    locality = forms.TypedChoiceField(
        choices=(), required=False, coerce=int, empty_value=None, help_text="In their service."
    )
    line_manager = forms.CharField(
        label="Line manager's person ID",
        required=False,
        max_length=64,
        help_text="Leave blank if they have none.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locality"].choices = _localities()  # type: ignore[attr-defined]

    def clean_locality(self) -> Locality | None:
        pk = self.cleaned_data.get("locality")
        return None if pk is None else Locality.objects.get(pk=pk)

    def clean_line_manager(self) -> Person | None:
        external_id = self.cleaned_data.get("line_manager", "").strip()
        if not external_id:
            return None
        try:
            return Person.objects.get(external_id=external_id)
        except Person.DoesNotExist:
            raise forms.ValidationError(f"No one has the person ID {external_id}") from None


class AddPersonForm(PersonForm):
    external_id = forms.CharField(
        label="Person ID",
        max_length=64,
        help_text='The ID imports know them by: letters, digits, "-", "_" and ".". It cannot be '
        "changed later.",
        error_messages={"required": "Enter the person ID"},
    )
    start_date = forms.DateField(
        label="First day",
        widget=date_input(),
        help_text="In a peer-work role, their employment starts on this day too.",
        error_messages={"required": "Enter their first day"},
    )
    field_order = ["external_id", "name", "email", "role", "service", "locality", "line_manager"]


class EditPersonForm(PersonForm):
    effective = forms.DateField(
        label="Role or team changes from",
        required=False,
        widget=date_input(),
        help_text="Only if the role or team changes: their first day in the new one. The "
        "current one ends the day before, and stays in their history.",
    )
    opened = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, role_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if role_fixed:  # a privileged role: changed on the role page only
            del self.fields["role"]


class LeavingForm(NHSFormMixin, forms.Form):
    leaving = forms.DateField(
        label="Last day",
        widget=date_input(),
        help_text="They are still employed on this day, and no longer from the next.",
        error_messages={"required": "Enter their last day"},
    )
    confirm = forms.BooleanField(
        label="Yes, record this leaving date",
        error_messages={"required": "Tick the box to confirm the leaving date"},
    )
    opened = forms.CharField(widget=forms.HiddenInput)


class StartForm(NHSFormMixin, forms.Form):
    start = forms.DateField(
        label="First day back",
        widget=date_input(),
        error_messages={"required": "Enter their first day back"},
    )
    opened = forms.CharField(widget=forms.HiddenInput)


class RoleForm(NHSFormMixin, forms.Form):
    role = forms.ChoiceField(
        label="New role",
        choices=[("", "Choose a role"), *Role.choices],
        error_messages={"required": "Select the new role"},
    )
    effective = forms.DateField(
        label="From",
        widget=date_input(),
        help_text="Their first day in the new role. The current one ends the day before, and "
        "stays in their history.",
        error_messages={"required": "Enter the first day in the new role"},
    )
    opened = forms.CharField(widget=forms.HiddenInput)
