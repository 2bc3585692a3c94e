"""Forms of the reflective models pages: adding a model, asking for one."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from coreflect.forms import NHSFormMixin
from coreflect.notes.models import ReflectiveModel

HEADING_MAX = 100


def parse_prompts(text: str) -> list[dict[str, str]]:
    """ "Heading: prompt" lines as the model's prompts; blank lines are skipped. Raises
    ValidationError naming the first line that is not a heading and a prompt."""
    prompts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        heading, colon, prompt = line.partition(":")
        heading, prompt = heading.strip(), prompt.strip()
        if not colon or not heading or not prompt:
            raise forms.ValidationError(
                f"Line {number} needs a heading, a colon, then the prompt, for example "
                "“What?: What happened?”."
            )
        if len(heading) > HEADING_MAX:
            raise forms.ValidationError(
                f"The heading on line {number} is longer than {HEADING_MAX} characters."
            )
        prompts.append({"heading": heading, "prompt": prompt})
    if not prompts:
        raise forms.ValidationError("Give at least one heading with its prompt.")
    return prompts


class ReflectiveModelForm(NHSFormMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    summary = forms.CharField(
        label="Summary (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A sentence or two on when the model helps.",
    )
    prompts = forms.CharField(
        label="Headings and prompts",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One heading a line, then a colon, then its prompt. For example: "
        "“Description: What happened?”",
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if ReflectiveModel.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(f"There is already a model called “{name}”.")
        return name

    def clean_prompts(self) -> list[dict[str, str]]:
        return parse_prompts(self.cleaned_data["prompts"])


class ModelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class RequestModelForm(NHSFormMixin, forms.Form):
    model = ModelChoiceField(
        label="Which model would you like to use?",
        queryset=ReflectiveModel.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the model you would like to use."},
    )

    def __init__(self, *args: Any, choices: QuerySet[ReflectiveModel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].queryset = choices  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    """The supervisor's answer, from one of the two buttons."""

    decision = forms.ChoiceField(choices=[("agree", "Agree"), ("decline", "Decline")])
