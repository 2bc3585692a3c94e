from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from coreflect.imports import rules


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files (the pattern in Django's documentation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(d, initial) for d in data]
        return [single(None if isinstance(data, list | tuple) else data, initial)]


class UploadForm(forms.Form):
    csv_files = MultipleFileField(
        label="CSV files",
        help_text=f"Choose one or more of: {', '.join(rules.FILES)}. Any of them may be left out.",
        error_messages={"required": "Choose the CSV files to import"},
        widget=MultipleFileInput(attrs={"accept": ".csv", "class": "nhsuk-file-upload"}),
    )

    def clean_csv_files(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data["csv_files"]
        problems = []
        seen = set()
        for upload in uploads:
            name = upload.name or ""
            if name not in rules.COLUMNS:
                problems.append(f"{name}: not one of the import files ({', '.join(rules.FILES)})")
            elif name in seen:
                problems.append(f"{name}: chosen more than once")
            seen.add(name)
        if not problems and (
            message := rules.too_big(
                {str(u.name): u.size or 0 for u in uploads}, settings.IMPORT_MAX_UPLOAD_BYTES
            )
        ):
            problems.append(message)
        if problems:
            raise forms.ValidationError(problems)
        return uploads
