from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from coreflect.forms import NHSFormMixin
from coreflect.notes import rules
from coreflect.notes.models import (
    TEXT_FIELDS,
    ActionOwner,
    ActionState,
    CaseloadEntry,
    LastNotesAgreed,
    NotesVersion,
    PeerValue,
    ReflectiveModel,
)
from coreflect.notes.prompts import prompt_for


def refuse_nhs_number(text: str) -> None:
    """Notes refer to people by pseudonym or initials only (spec §4)."""
    found = rules.find_nhs_number(text)
    if found is not None:
        raise ValidationError(
            f"This looks like an NHS number ({found}). Refer to people by a pseudonym or "
            "initials only; remove the number to save."
        )


def note_text(label: str, *, required: bool = False, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        validators=[refuse_nhs_number],
    )


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseloadChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.label


class NotesForm(NHSFormMixin, forms.Form):
    """The notes template (spec §4): every field may be short or empty. The reflection has one
    answer for each prompt of the model in use."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    wellbeing = note_text("Wellbeing check-in")
    actions_review = note_text("Review of last time's actions")
    last_notes_agreed = forms.ChoiceField(
        label="Were the last notes agreed?",
        choices=LastNotesAgreed.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    challenging = note_text("What has been challenging")
    gone_well = note_text("What has gone well")
    caseload_examples = note_text("Examples from the caseload")
    topics_to_return = note_text("Topics to return to", rows=3)
    values = forms.MultipleChoiceField(
        label="Peer support values",
        choices=PeerValue.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        model: ReflectiveModel,
        caseload: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.model = model
        for name in (*TEXT_FIELDS, "last_notes_agreed", "values"):
            self.fields[name].help_text = prompt_for(name)
        for i, prompt in enumerate(model.prompts):
            self.fields[f"reflection_{i}"] = note_text(prompt["heading"])
            self.fields[f"reflection_{i}"].help_text = prompt["prompt"]
            self.fields[f"reflection_{i}"].widget.attrs.setdefault("class", "nhsuk-textarea")
        if caseload is not None:
            self.fields["caseload"] = CaseloadChoiceField(
                label="People discussed",
                queryset=caseload,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text="From the supervisee's own list of pseudonyms.",
            )

    @property
    def reflection_fields(self) -> list[forms.BoundField]:
        return [self[f"reflection_{i}"] for i in range(len(self.model.prompts))]

    @property
    def template_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("wellbeing", "actions_review", "last_notes_agreed")]

    @property
    def later_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("challenging", "gone_well", "caseload_examples")]

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in TEXT_FIELDS},
            "last_notes_agreed": data["last_notes_agreed"],
            "reflective_model": self.model,
            "reflection": [data[f"reflection_{i}"] for i in range(len(self.model.prompts))],
            "values": sorted(data["values"]),
        }

    def people_discussed(self) -> list[CaseloadEntry]:
        return list(self.cleaned_data.get("caseload") or [])

    @staticmethod
    def initial_from(version: NotesVersion | None) -> dict[str, Any]:
        if version is None:
            return {}
        initial: dict[str, Any] = {name: getattr(version, name) for name in TEXT_FIELDS}
        initial["last_notes_agreed"] = version.last_notes_agreed
        initial["values"] = version.values
        for i, answer in enumerate(version.reflection):
            initial[f"reflection_{i}"] = answer
        return initial


class MoveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.ChoiceField(
        choices=[(s, s) for s in ("shared", "accepted", "review_together")],
        widget=forms.HiddenInput,
    )


class OwnIds:
    """A form that shares the session's notes page with others: its fields' ids start with
    its own name, so two fields called "text" never share an id."""

    ids = "%s"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", self.ids)
        super().__init__(*args, **kwargs)


class TopicForm(OwnIds, NHSFormMixin, forms.Form):
    ids = "topic_%s"
    text = note_text("Add a topic to bring", required=True, rows=2)


class CommentForm(OwnIds, NHSFormMixin, forms.Form):
    ids = "comment_%s"
    text = note_text("Your comment", required=True, rows=3)


class ActionForm(OwnIds, NHSFormMixin, forms.Form):
    ids = "action_%s"
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = note_text("Agreed action", required=True, rows=2)
    owner = forms.ChoiceField(
        label="Who will do it?", choices=ActionOwner.choices, widget=forms.RadioSelect
    )
    due = forms.DateField(label="By when (optional)", required=False, widget=date_input())


class ActionStateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    state = forms.ChoiceField(choices=ActionState.choices)


class ShareWithForm(NHSFormMixin, forms.Form):
    reader: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Share these notes with", queryset=None, empty_label="Choose your supervisor"
    )

    def __init__(self, *args: Any, readers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reader"].queryset = readers  # type: ignore[attr-defined]
