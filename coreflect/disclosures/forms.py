"""The form a supervisor records a disclosure with."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from coreflect.disclosures.models import Ground
from coreflect.forms import NHSFormMixin
from coreflect.people.models import Person
from coreflect.supervision.forms import date_input

YES_NO = [("yes", "Yes"), ("no", "No")]


class SuperviseeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class DisclosureForm(NHSFormMixin, forms.Form):
    supervisee = SuperviseeField(
        label="Who is it about?",
        queryset=Person.objects.none(),
        empty_label="Choose a person",
        to_field_name="external_id",
        error_messages={"required": "Select who it is about"},
    )
    ground = forms.ChoiceField(
        label="On what ground did you share it?",
        choices=Ground.choices,
        widget=forms.RadioSelect,
        help_text="The protocol allows sharing on these grounds only.",
        error_messages={"required": "Select the ground you shared it on"},
    )
    summary = forms.CharField(
        label="What did you share?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A summary of what you shared. The worker will read this.",
        error_messages={"required": "Enter what you shared"},
    )
    shared_with_name = forms.CharField(
        label="Who did you share it with? (name)",
        max_length=200,
        error_messages={"required": "Enter who you shared it with"},
    )
    shared_with_role = forms.CharField(
        label="Their role",
        max_length=200,
        help_text="For example, safeguarding lead or ward manager.",
        error_messages={"required": "Enter their role"},
    )
    shared_on = forms.DateField(
        label="When did you share it?",
        widget=date_input(),
        error_messages={"required": "Enter the date you shared it"},
    )
    told_first = forms.ChoiceField(
        label="Did you discuss it with the worker first?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you discussed it with the worker first"},
    )
    not_told_reason = forms.CharField(
        label="If not, why not?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if you did not discuss it first. The worker will read this.",
    )

    def __init__(self, *args: Any, supervisees: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisee"].queryset = supervisees  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        told = data.get("told_first")
        if told == "no" and not data.get("not_told_reason", "").strip():
            self.add_error(
                "not_told_reason", "Say why you did not discuss it with the worker first"
            )
        data["told_first"] = told == "yes"
        return data
