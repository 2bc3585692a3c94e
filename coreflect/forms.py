import html
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString


class QuickSelect(forms.Select):
    """A select list written out in Python. Django renders every option through a template of
    its own, which on the matrix's filters (a service's supervisors and localities, the years)
    cost more than the matrix's fifty rows; the HTML is the same (tests/test_forms.py)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _, label in choices):
            return super().render(name, value, attrs, renderer)  # groups: Django's own
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in choices:
            text = str(option_value)
            # As Django's: only the first option with the chosen value is selected.
            selected = " selected" if text in chosen else ""
            chosen.discard(text)
            options.append(f'<option value="{_escape(text)}"{selected}>{_escape(label)}</option>')
        return SafeString(
            f'<select name="{_escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>'
            + "".join(options)
            + "</select>"
        )


def _escape(value: Any) -> str:
    """As the template engine's autoescape: safe strings as they are, anything else escaped."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


WIDGET_CLASSES = {
    forms.Select: "nhsuk-select",
    QuickSelect: "nhsuk-select",
    forms.SelectMultiple: "nhsuk-select",
    forms.Textarea: "nhsuk-textarea",
    forms.DateInput: "nhsuk-input nhsuk-input--width-10",
    forms.TimeInput: "nhsuk-input nhsuk-input--width-5",
    forms.NumberInput: "nhsuk-input nhsuk-input--width-4",
    forms.EmailInput: "nhsuk-input",
    forms.TextInput: "nhsuk-input",
    forms.PasswordInput: "nhsuk-input nhsuk-input--width-20",
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
