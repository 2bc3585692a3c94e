from typing import Any

from django import forms

from coreflect.auditlog.search import Filters
from coreflect.forms import NHSFormMixin
from coreflect.supervision.forms import date_input


class AuditFilterForm(NHSFormMixin, forms.Form):
    person = forms.CharField(
        label="Person",
        required=False,
        max_length=200,
        help_text="A person ID or part of a name: what they did, and what was done to their "
        "record or sign-in.",
    )
    actor = forms.CharField(
        label="Done by",
        required=False,
        max_length=200,
        help_text="A username or part of a name.",
    )
    action = forms.CharField(
        label="Action",
        required=False,
        max_length=64,
        help_text="For example auth.sign_in_failed, or auth for every sign-in action.",
    )
    date_from = forms.DateField(label="From", required=False, widget=date_input())
    date_to = forms.DateField(label="To", required=False, widget=date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be on or after the start date")
        return data

    def filters(self) -> Filters:
        """The search this (valid or unbound) form asks for."""
        data = self.cleaned_data if self.is_bound else {}
        return Filters(
            person=(data.get("person") or "").strip(),
            actor=(data.get("actor") or "").strip(),
            action=(data.get("action") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
