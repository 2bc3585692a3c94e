from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.datastructures import MultiValueDict
from django.utils.safestring import SafeString, mark_safe

from coreflect.authorization import Permission, has_permission
from coreflect.imports import rules, tasks
from coreflect.imports.forms import UploadForm
from coreflect.imports.models import ImportRun

# A failed run shows this many problems; the full list is a download.
ERRORS_SHOWN = 1000


def _importer(request: HttpRequest) -> User:
    """The signed-in user if they may import; to anyone else the pages do not exist."""
    user = request.user
    if not isinstance(user, User) or not has_permission(user, Permission.IMPORT_DATA):
        raise Http404("No such page")
    return user


def upload(request: HttpRequest) -> HttpResponse:
    """Choose the CSV files; they are saved and imported in the background."""
    user = _importer(request)
    form = UploadForm()
    if request.method == "POST":
        # The files count whatever the name of the input that sent them.
        chosen = [f for name in request.FILES for f in request.FILES.getlist(name)]
        form = UploadForm(request.POST, MultiValueDict({"csv_files": chosen}))
    if form.is_bound and form.is_valid():
        uploads = form.cleaned_data["csv_files"]
        run = ImportRun.objects.create(
            created_by=user, file_names=sorted(str(f.name) for f in uploads)
        )
        folder = tasks.upload_folder(run.pk)
        folder.mkdir(parents=True, exist_ok=True)
        for uploaded in uploads:
            with (folder / uploaded.name).open("wb") as target:
                for chunk in uploaded.chunks():
                    target.write(chunk)
        transaction.on_commit(lambda: tasks.run_import.enqueue(run.pk))
        return redirect("imports:run", pk=run.pk)
    runs = ImportRun.objects.select_related("created_by").defer("errors", "summary")[:20]
    return render(
        request,
        "imports/upload.html",
        {
            "form": form,
            "runs": runs,
            "form_errors": [_text(str(e)) for e in form.errors.get("csv_files", [])],
            "formats": rules.COLUMNS.items(),
        },
    )


def run_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: its progress while it runs (polled by htmx), then every problem or the
    summary."""
    _importer(request)
    run = get_object_or_404(ImportRun, pk=pk)
    template = "imports/run.html#progress" if request.htmx else "imports/run.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "run": run,
            "errors": [_text(e) for e in run.errors[:ERRORS_SHOWN]],
            "more_errors": max(0, len(run.errors) - ERRORS_SHOWN),
        },
    )


def run_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """Every problem of a failed run, one a line, as a text file."""
    _importer(request)
    run = get_object_or_404(ImportRun, pk=pk)
    response = HttpResponse(
        "".join(f"{error}\n" for error in run.errors), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-problems.txt"'
    return response


def _text(message: str) -> SafeString:
    """A message escaped for the text of an element. Quotes are left as they are, so that
    a problem reads exactly as the command prints it, even in the page's source."""
    return mark_safe(  # noqa: S308 (&, < and > are escaped; quotes are harmless in text)
        message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
