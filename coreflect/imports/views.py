from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.datastructures import MultiValueDict
from django.utils.safestring import SafeString, mark_safe

from coreflect.audit.actions import record
from coreflect.authorization import Permission, user_with
from coreflect.imports import actions, rules
from coreflect.imports.forms import UploadForm
from coreflect.imports.models import ImportRun

# A failed run shows this many problems, as many as a run keeps (runs from before the cap
# may hold more); the list is also a download.
ERRORS_SHOWN = rules.PROBLEMS_KEPT


def upload(request: HttpRequest) -> HttpResponse:
    """Choose the CSV files; they are saved and imported in the background."""
    user = user_with(request, Permission.IMPORT_DATA)
    form = UploadForm()
    errors: list[str] = []
    if request.method == "POST":
        # The files count whatever the name of the input that sent them.
        chosen = [f for name in request.FILES for f in request.FILES.getlist(name)]
        refused = getattr(request, "upload_refused", None)  # uploads.RefuseOversized
        if refused is not None:
            errors = [rules.over_the_limit(refused, settings.IMPORT_MAX_UPLOAD_BYTES)]
        else:
            form = UploadForm(request.POST, MultiValueDict({"csv_files": chosen}))
            errors = [_text(str(e)) for e in form.errors.get("csv_files", [])]
    if form.is_bound and form.is_valid():
        run = actions.start_upload(by=user, files=form.cleaned_data["csv_files"])
        return redirect("imports:run", pk=run.pk)
    runs = ImportRun.objects.select_related("created_by").defer("errors", "summary")[:20]
    return render(
        request,
        "imports/upload.html",
        {
            "form": form,
            "runs": runs,
            "form_errors": errors,
            "formats": rules.COLUMNS.items(),
        },
    )


def run_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: its progress while it runs (polled by htmx), then every problem or the
    summary."""
    user_with(request, Permission.IMPORT_DATA)
    run = get_object_or_404(ImportRun, pk=pk)
    template = "imports/run.html#progress" if request.htmx else "imports/run.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "run": run,
            "errors": [_text(e) for e in run.errors[:ERRORS_SHOWN]],
            "error_count": f"{run.error_count:,}",
            "more_errors": _more(run),
        },
    )


def _more(run: ImportRun) -> str:
    """The line for the problems not shown ("… and 12,345 more problems"), or nothing."""
    more = run.error_count - min(len(run.errors), ERRORS_SHOWN)
    return rules.more_problems(more) if more else ""


def run_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The problems a failed run keeps, one a line, as a text file; a last line says how many
    more there were. The problems quote the files' values (names, email addresses), so the
    download is on the audit log."""
    user = user_with(request, Permission.IMPORT_DATA)
    run = get_object_or_404(ImportRun, pk=pk)
    lines = [*run.errors, rules.more_problems(run.more_errors)] if run.more_errors else run.errors
    record(by=user, action="export.import_problems", target=run, format="txt")
    response = HttpResponse(
        "".join(f"{line}\n" for line in lines), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-problems.txt"'
    return response


def _text(message: str) -> SafeString:
    """A message escaped for the text of an element. Quotes are left as they are, so that
    a problem reads exactly as the command prints it, even in the page's source."""
    return mark_safe(  # noqa: S308 (&, < and > are escaped; quotes are harmless in text)
        message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
