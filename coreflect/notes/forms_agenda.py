"""The co-reflection agenda form: one small form an item, in a formset (remove any, add one)."""

from typing import Any

from django import forms

from coreflect.forms import NHSFormMixin

# A co-reflection is up to three hours (protocol §5.9.1); a day is the most any item could be.
MAX_MINUTES = 600
MAX_ITEMS = 20


class AgendaVersionForm(forms.Form):
    """The session's version when the page was opened: a stale save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AgendaItemForm(NHSFormMixin, forms.Form):
    title = forms.CharField(label="Title", max_length=120)
    minutes = forms.IntegerField(
        label="Minutes",
        min_value=1,
        max_value=MAX_MINUTES,
        error_messages={
            "min_value": "Give the item at least 1 minute",
            "max_value": f"An item can be at most {MAX_MINUTES} minutes",
            "invalid": "Enter the minutes as a whole number, like 30",
        },
    )
    description = forms.CharField(
        label="What happens (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = "Enter a title for the item"
        self.fields["minutes"].error_messages["required"] = "Enter how many minutes the item takes"

    def item(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("title", "minutes", "description")}


class BaseAgendaFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_few_forms": "Keep at least one item on the agenda",
        "too_many_forms": f"An agenda can have at most {MAX_ITEMS} items",
    }

    def items(self) -> list[dict[str, Any]]:
        """The kept items in order: removed ones and an untouched blank one left out."""
        removed = self.deleted_forms
        return [
            form.item()
            for i, form in enumerate(self.forms)
            if form not in removed and (i < self.initial_form_count() or form.has_changed())
        ]


AgendaFormSet = forms.formset_factory(
    AgendaItemForm,
    formset=BaseAgendaFormSet,
    extra=1,
    can_delete=True,
    min_num=1,
    validate_min=True,
    max_num=MAX_ITEMS,
    validate_max=True,
)
