from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from coreflect.authorization import Permission, has_permission
from coreflect.imports import tasks
from coreflect.imports.forms import UploadForm
from coreflect.imports.models import ImportRun


def _require_import_permission(request: HttpRequest) -> None:
    if not has_permission(request.user, Permission.IMPORT_DATA):
        raise Http404("No such page")


def upload(request: HttpRequest) -> HttpResponse:
    _require_import_permission(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["upload"]
        run = ImportRun.objects.create(
            created_by=request.user if request.user.is_authenticated else None,
            file_names=sorted(f.name for f in uploads),
        )
        folder = tasks.upload_folder(run.pk)
        folder.mkdir(parents=True, exist_ok=True)
        for uploaded in uploads:
            with (folder / uploaded.name).open("wb") as target:
                for chunk in uploaded.chunks():
                    target.write(chunk)
        transaction.on_commit(lambda: tasks.run_import.enqueue(run.pk))
        return redirect("imports:run", pk=run.pk)
    return render(
        request,
        "imports/upload.html",
        {"form": form, "runs": ImportRun.objects.select_related("created_by")[:10]},
    )


def run_page(request: HttpRequest, pk: int) -> HttpResponse:
    _require_import_permission(request)
    run = get_object_or_404(ImportRun, pk=pk)
    template = "imports/run.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#progress"
    return render(request, template, {"run": run})
