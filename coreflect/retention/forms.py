"""The retention review's form: which notes to delete, that they were reviewed, and why."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from coreflect.forms import NHSFormMixin
from coreflect.notes.models import Notes


class ReviewForm(NHSFormMixin, forms.Form):
    notes = forms.ModelMultipleChoiceField(
        label="Notes to delete",
        queryset=Notes.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the notes to delete",
            "invalid_choice": "Some of the notes selected are no longer past their retention "
            "date; look at the list again",
        },
    )
    reviewed = forms.BooleanField(
        label="I have reviewed these notes and nothing requires them to be kept longer",
        help_text="For example an open complaint, investigation or legal hold.",
        error_messages={"required": "Confirm that you have reviewed these notes"},
    )
    reason = forms.CharField(
        label="Why can they be deleted?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the tombstone of each. Do not write anything the notes said.",
        error_messages={"required": "Enter why these notes can be deleted"},
    )

    def __init__(self, *args: Any, candidates: QuerySet[Notes], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notes"].queryset = candidates  # type: ignore[attr-defined]
