from pathlib import Path

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from coreflect.imports import actions
from coreflect.imports.models import ImportRun


def upload_folder(run_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(run_id)


@task
def run_import(run_id: int) -> None:
    """Import an uploaded run's files, recording progress on the run as it goes."""
    run = ImportRun.objects.get(pk=run_id)
    total = 0

    def progress(stage: str, done: int, of: int) -> None:
        nonlocal total
        total = of or total
        ImportRun.objects.filter(pk=run_id).update(
            status=stage, processed_rows=done, total_rows=total
        )

    folder = upload_folder(run_id)
    result = actions.import_files(
        by=run.created_by, files=actions.read_folder(folder), progress=progress
    )
    run.refresh_from_db()
    run.status = ImportRun.Status.DONE if result.ok else ImportRun.Status.FAILED
    run.errors = result.errors
    run.summary = result.summary()
    run.processed_rows = run.total_rows if result.ok else run.processed_rows
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "errors", "summary", "processed_rows", "finished_at"])
    for path in folder.glob("*.csv"):
        path.unlink()
