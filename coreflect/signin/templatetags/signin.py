"""Sign-in's forms are allauth's: this gives their widgets the NHS.UK frontend classes the
project's own forms get from NHSFormMixin (coreflect/forms.py)."""

from typing import Any

from django import forms, template

from coreflect.forms import WIDGET_CLASSES

register = template.Library()

CLASSES: dict[Any, str] = dict(WIDGET_CLASSES)


@register.filter
def nhsuk(form: forms.BaseForm) -> forms.BaseForm:
    for field in form.fields.values():
        css = CLASSES.get(type(field.widget))
        if css:
            field.widget.attrs.setdefault("class", css)
    return form
