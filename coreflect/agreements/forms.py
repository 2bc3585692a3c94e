from typing import Any

from django import forms

from coreflect.agreements import rules
from coreflect.agreements.models import AgreementVersion
from coreflect.forms import WIDGET_CLASSES, NHSFormMixin
from coreflect.policy.models import PolicySettings
from coreflect.policy.presets import AgreementItem

# Blank items offered for the two to add, beyond those they added before.
NEW_ITEMS = 2


class VersionForm(NHSFormMixin, forms.Form):
    """A new version: the meetings, the turnaround, each template item's wording (required:
    none may be removed) and any items the two add."""

    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)
    sessions_a_month = forms.IntegerField(label="One-to-ones a month", min_value=1, max_value=31)
    session_minutes = forms.IntegerField(
        label="Length of a one-to-one (minutes)", min_value=15, max_value=480
    )
    usual_place = forms.CharField(label="Where we will usually meet", max_length=300)
    changes_arranged = forms.CharField(
        label="If this arrangement needs to change, we will",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes_share_working_days = forms.IntegerField(
        label="Notes shared within (working days after the session)", min_value=1, max_value=30
    )
    notes_response_working_days = forms.IntegerField(
        label="Notes answered within (working days after sharing)", min_value=1, max_value=30
    )

    def __init__(
        self,
        *args: Any,
        template: tuple[AgreementItem, ...],
        latest: AgreementVersion | None,
        policy: PolicySettings,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        self.fields[
            "session_minutes"
        ].help_text = (
            f"Together at least {policy.agreement_minimum_minutes_a_month} minutes a month."
        )
        wording = {i.key: i.text for i in latest.item_list} if latest else {}
        added = [i for i in latest.item_list if not i.key] if latest else []
        for item in template:
            self.fields[f"item_{item.key}"] = forms.CharField(
                label=item.title,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=wording.get(item.key, item.text),
                help_text="A standard item: reword it if you both agree; it cannot be removed.",
            )
        self.extra_count = len(added) + NEW_ITEMS
        for n in range(self.extra_count):
            old = added[n] if n < len(added) else None
            self.fields[f"extra_title_{n}"] = forms.CharField(
                label=f"Added item {n + 1}: heading",
                required=False,
                max_length=200,
                initial=old.title if old else "",
            )
            self.fields[f"extra_text_{n}"] = forms.CharField(
                label=f"Added item {n + 1}: what we agree",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=old.text if old else "",
                help_text="Leave both empty to leave it out.",
            )
        # The mixin styled the fields it saw; these were added after it.
        for field in self.fields.values():
            css = WIDGET_CLASSES.get(type(field.widget))  # type: ignore[call-overload]
            if css:
                field.widget.attrs.setdefault("class", css)

    def standard_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{i.key}"] for i in self.template]

    def extra_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"extra_title_{n}"], self[f"extra_text_{n}"]) for n in range(self.extra_count)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(self.extra_count):
            title, text = data.get(f"extra_title_{n}", ""), data.get(f"extra_text_{n}", "")
            if bool(title.strip()) != bool(text.strip()):
                self.add_error(
                    f"extra_text_{n}" if title.strip() else f"extra_title_{n}",
                    "Give the added item both a heading and what you agree, or neither",
                )
        return data

    def items(self) -> list[rules.Item]:
        data = self.cleaned_data
        items = [rules.Item(i.key, i.title, data[f"item_{i.key}"].strip()) for i in self.template]
        for n in range(self.extra_count):
            title, text = data[f"extra_title_{n}"].strip(), data[f"extra_text_{n}"].strip()
            if title and text:
                items.append(rules.Item("", title, text))
        return items


class ReviewRequestForm(NHSFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why review it now (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
