from typing import Any

from django import forms

from coreflect.forms import NHSFormMixin
from coreflect.governance.access import RouteStep
from coreflect.supervision.forms import date_input


def choice_of(step: int, external_id: str) -> str:
    return f"{step}:{external_id}"


class ConcernForm(NHSFormMixin, forms.Form):
    with_whom = forms.ChoiceField(
        label="Who did you raise it with?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select who you raised it with"},
    )
    raised_on = forms.DateField(
        label="When did you raise it?",
        widget=date_input(),
        error_messages={"required": "Enter the date you raised it"},
    )
    summary = forms.CharField(
        label="A short summary",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only you and the person you raised it with will read this.",
        error_messages={"required": "Enter a short summary of the concern"},
    )

    def __init__(self, *args: Any, route: list[RouteStep], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["with_whom"].choices = [  # type: ignore[attr-defined]
            (
                choice_of(s.step.number, p.external_id),
                f"{p.name}: step {s.step.number}, {s.step.label.lower()}",
            )
            for s in route
            for p in s.people
        ]

    def chosen(self) -> tuple[int, str]:
        step, external_id = self.cleaned_data["with_whom"].split(":", 1)
        return int(step), external_id


class OutcomeForm(NHSFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.CharField(
        label="What came of it?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only you and the person you raised it with will read this.",
        error_messages={"required": "Enter what came of it"},
    )
