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


CHOOSING = (forms.Select, forms.RadioSelect, forms.CheckboxSelectMultiple)
DEFAULT_REQUIRED = forms.Field.default_error_messages["required"]


class NHSFormMixin:
    """Gives each widget the NHS.UK frontend class for its kind, and each required field a
    specific message ("Enter the date", "Select who cancelled") instead of Django's generic
    one, as the NHS error message pattern asks."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            for widget_type, css in WIDGET_CLASSES.items():
                if type(field.widget) is widget_type:
                    field.widget.attrs.setdefault("class", css)
            if field.error_messages.get("required") == DEFAULT_REQUIRED:
                label = str(field.label or name.replace("_", " ")).rstrip("?").strip()
                verb = "Select" if isinstance(field.widget, CHOOSING) else "Enter"
                field.error_messages["required"] = f"{verb} {label[0].lower()}{label[1:]}"
