from typing import Any

from django import forms

WIDGET_CLASSES = {
    forms.Select: "nhsuk-select",
    forms.SelectMultiple: "nhsuk-select",
    forms.Textarea: "nhsuk-textarea",
    forms.DateInput: "nhsuk-input nhsuk-input--width-10",
    forms.TimeInput: "nhsuk-input nhsuk-input--width-5",
    forms.NumberInput: "nhsuk-input nhsuk-input--width-4",
    forms.EmailInput: "nhsuk-input",
    forms.TextInput: "nhsuk-input",
}


class NHSFormMixin:
    """Gives each widget the NHS.UK frontend class for its kind."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for widget_type, css in WIDGET_CLASSES.items():
                if type(field.widget) is widget_type:
                    field.widget.attrs.setdefault("class", css)
