"""Upload handling that keeps an oversized import off the disk."""

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

# Room beside the files for the form's own fields and each file's part headers.
FORM_ALLOWANCE = 64 * 1024


class RefuseOversized(FileUploadHandler):
    """First of the upload handlers: when a request's body is bigger than an import may be
    (IMPORT_MAX_UPLOAD_BYTES and the form's allowance), each file in it is skipped as it
    arrives, so none of it is held in memory or written to disk; the form fields (the CSRF
    token among them) are still read. `request.upload_refused` then holds the body's size,
    for the upload page to explain."""

    refused = False

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        self.refused = content_length > settings.IMPORT_MAX_UPLOAD_BYTES + FORM_ALLOWANCE
        if self.refused and self.request is not None:
            self.request.upload_refused = content_length  # type: ignore[attr-defined]

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        if self.refused:
            raise SkipFile
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data  # to the next handler

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler keeps the file
