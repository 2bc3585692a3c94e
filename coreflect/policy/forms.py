from typing import Any

from django import forms

from coreflect.forms import NHSFormMixin
from coreflect.people.models import AbsenceType
from coreflect.policy.models import PolicySettings


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
            "co_reflection_recurrence",
            "co_reflection_start_time",
            "one_to_one_recurrence",
            "series_horizon_months",
            "holiday_region",
            "notes_share_working_days",
            "notes_response_working_days",
            "caseload_review_days",
            "retention_years",
            "complaints_text",
            "complaints_url",
            "agreement_minimum_minutes_a_month",
            "agreement_sessions_a_month",
            "agreement_due_days",
            "agreement_review_months",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
