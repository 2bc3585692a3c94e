from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
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
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group is not None for group, _, _ in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)  # groups: Django's own
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _, group_options, _ in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options
        )


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
