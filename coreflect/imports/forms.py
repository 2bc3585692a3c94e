from typing import Any

from django import forms

from coreflect.imports import rules


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files (the pattern from Django's documentation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    upload = MultipleFileField(
        label="Import files",
        help_text=f"Choose one or more of: {', '.join(rules.FILES)}.",
        widget=MultipleFileInput(attrs={"accept": ".csv", "class": "nhsuk-file-upload"}),
    )

    def clean_upload(self) -> list[Any]:
        uploads: list[Any] = self.cleaned_data["upload"]
        unknown = [f.name for f in uploads if f.name not in rules.FILES]
        if unknown:
            raise forms.ValidationError(
                [
                    f"{name}: not one of the import files ({', '.join(rules.FILES)})"
                    for name in unknown
                ]
            )
        return uploads
