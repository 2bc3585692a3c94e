"""The form of the caseload page: someone the peer worker supports, by pseudonym or
initials."""

from typing import Any

from django import forms

from coreflect.forms import NHSFormMixin
from coreflect.notes.models import CaseloadEntry
from coreflect.notes.rules import find_nhs_number
from coreflect.people.models import Person

LABEL_MAX = 40

NHS_NUMBER_REFUSED = (
    "This looks like an NHS number. Use a pseudonym or initials only, never an NHS number or "
    "a full name."
)


class CaseloadEntryForm(NHSFormMixin, forms.Form):
    label = forms.CharField(
        label="Pseudonym or initials",
        max_length=LABEL_MAX,
        help_text="Pseudonym or initials only, never a full name or an NHS number. "
        f"Up to {LABEL_MAX} characters.",
        error_messages={
            "max_length": f"Use {LABEL_MAX} characters or fewer: a pseudonym or initials.",
            "required": "Enter a pseudonym or initials",
        },
    )

    def __init__(self, *args: Any, owner: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["label"].widget.attrs.update(
            {"class": "nhsuk-input nhsuk-input--width-20", "autocomplete": "off"}
        )

    def clean_label(self) -> str:
        label: str = self.cleaned_data["label"].strip()
        if find_nhs_number(label) is not None:
            raise forms.ValidationError(NHS_NUMBER_REFUSED)
        listed = CaseloadEntry.objects.filter(owner=self.owner, label__iexact=label)
        if listed.filter(archived_on__isnull=True).exists():
            raise forms.ValidationError(f"“{label}” is already on your list.")
        return label
